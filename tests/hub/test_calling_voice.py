"""What the waiting room hears: numbers and rooms said as words, the priority lane said, English after Vietnamese
when the area asks; quiet hours (also over midnight); the WAV is chime then speech, in one format, rendered once."""

from __future__ import annotations

import wave
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk_hub.calling.areas import AreaSettings, quiet_now
from kiosk_hub.calling.voice import RATE, VoiceBox, VoiceUnavailableError, announcement, chime_frames

ROOM = ("Phòng khám 12", "Clinic room 12")
WHERE = ("Tầng 2", "Floor 2")


def test_numbers_and_rooms_are_said_as_words() -> None:
    said = announcement("0012", ROOM, WHERE, english=False)
    assert said.vi == "Mời số mười hai, đến Phòng khám mười hai, Tầng hai"
    assert said.en is None
    both = announcement("UT-0003", ROOM, WHERE, english=True)
    assert both.vi.startswith("Mời số ưu tiên ba, ")
    assert both.en == "Number priority three, please go to Clinic room twelve, Floor two"
    assert said.key != both.key


@pytest.mark.parametrize(
    ("quiet", "hour", "silent"),
    [(("22:00", "06:00"), 23, True), (("22:00", "06:00"), 5, True), (("22:00", "06:00"), 9, False),
     (("12:00", "13:30"), 12, True), (("12:00", "13:30"), 14, False), ((None, None), 3, False)],
)  # fmt: skip
def test_quiet_hours_in_local_time_also_over_midnight(
    quiet: tuple[str | None, str | None], hour: int, silent: bool
) -> None:
    area = AreaSettings("a", "A", "A", (("NOI", None),), quiet_from=quiet[0], quiet_until=quiet[1])
    local_hour_in_utc = (hour - 7) % 24  # Hà Nội is UTC+7
    assert quiet_now(area, datetime(2026, 11, 23, local_hour_in_utc, 10, tzinfo=UTC)) is silent


def test_the_announcement_is_one_wav_rendered_once(tmp_path: Path) -> None:
    box = VoiceBox(tmp_path)
    said = announcement("0012", ROOM, WHERE, english=True)
    path = box.wav(said)
    with wave.open(str(path)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, RATE)
        frames = audio.readframes(audio.getnframes())
    assert frames.startswith(chime_frames())
    assert len(frames) > len(chime_frames()) + RATE * 2 * 3  # more than three seconds of speech after the chime
    modified = path.stat().st_mtime_ns
    assert box.wav(said) == path
    assert path.stat().st_mtime_ns == modified  # from the cache
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no half-written file left


def test_without_espeak_the_voice_says_it_is_unavailable(tmp_path: Path) -> None:
    box = VoiceBox(tmp_path, espeak=str(tmp_path / "no-espeak-here"))
    with pytest.raises(VoiceUnavailableError):
        box.wav(announcement("0001", ROOM, WHERE, english=False))
    assert list(tmp_path.iterdir()) == []
