"""The espeak-ng adapter against the real engine: WAV files, streams, players, interruption and volume."""

from __future__ import annotations

import shutil
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from kiosk.speech.espeak_adapter import EspeakSettings, EspeakSpeech, render_wav
from kiosk.speech.port import SpeechError, VolumeSteps
from tests.speech.audio import read_wav, stream_sound

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is a Debian package of the kiosk")

SILENCE_FLOOR = 0.02  # RMS of speech from espeak-ng at amplitude 100 is ~0.1; silence is 0
TICKET_VI = "Số thứ tự của bạn là mười hai. Mời bạn đến Khoa Nội, phòng một trăm linh một, tầng một."
TICKET_EN = "Your queue number is twelve. Please go to Internal Medicine, room one hundred one, floor one."
LONG_VI = "Xin chào. Vui lòng đặt thẻ căn cước lên đầu đọc, hoặc đưa mã QR vào camera. " * 300


def test_vietnamese_speech_is_rendered_and_not_silent(tmp_path: Path) -> None:
    sound = read_wav(render_wav(TICKET_VI, "vi", tmp_path / "vi.wav"))
    assert sound.seconds > 2.0
    assert sound.rms > SILENCE_FLOOR


def test_different_texts_give_different_speech(tmp_path: Path) -> None:
    short = read_wav(render_wav("Xin chào.", "vi", tmp_path / "short.wav"))
    ticket = read_wav(render_wav(TICKET_VI, "vi", tmp_path / "ticket.wav"))
    twelve = read_wav(render_wav("mười hai", "vi", tmp_path / "12.wav"))
    thirteen = read_wav(render_wav("mười ba", "vi", tmp_path / "13.wav"))
    assert ticket.seconds > 3 * short.seconds
    assert twelve.samples != thirteen.samples


def test_vietnamese_and_english_voices_differ(tmp_path: Path) -> None:
    vi = read_wav(render_wav(TICKET_VI, "vi", tmp_path / "vi.wav"))
    en = read_wav(render_wav(TICKET_EN, "en", tmp_path / "en.wav"))
    same_text_en = read_wav(render_wav(TICKET_VI, "en", tmp_path / "vi-text-en-voice.wav"))
    assert en.rms > SILENCE_FLOOR
    assert vi.samples != same_text_en.samples  # the voice, not only the words, changes


def test_decomposed_vietnamese_is_spoken_like_composed(tmp_path: Path) -> None:
    composed = unicodedata.normalize("NFC", "Bệnh viện")
    decomposed = unicodedata.normalize("NFD", "Bệnh viện")
    assert composed != decomposed
    one = read_wav(render_wav(composed, "vi", tmp_path / "nfc.wav"))
    other = read_wav(render_wav(decomposed, "vi", tmp_path / "nfd.wav"))
    assert one.samples == other.samples


def test_louder_volume_steps_give_louder_speech(tmp_path: Path) -> None:
    quiet = read_wav(render_wav(TICKET_VI, "vi", tmp_path / "q.wav", amplitude=40))
    loud = read_wav(render_wav(TICKET_VI, "vi", tmp_path / "l.wav", amplitude=180))
    assert loud.rms > 2 * quiet.rms > 0


def test_the_adapter_streams_speech_to_its_sink_and_speaks_again_on_repeat() -> None:
    chunks: list[bytes] = []
    voice = EspeakSpeech(EspeakSettings(player=()), sink=chunks.append)
    voice.speak(TICKET_VI, "vi")
    first = voice.last_utterance
    assert first is not None
    assert first.wait(20)
    stream = b"".join(chunks)
    sound = stream_sound(stream)
    assert sound.rms > SILENCE_FLOOR
    assert sound.seconds > 2
    assert first.audio_bytes == len(stream) - 44
    chunks.clear()
    voice.repeat()
    again = voice.last_utterance
    assert again is not None
    assert again is not first
    assert again.wait(20)
    assert b"".join(chunks) == stream


def test_volume_keys_change_the_next_utterance_and_reset_returns_to_the_start() -> None:
    levels: list[float] = []
    voice = EspeakSpeech(EspeakSettings(player=(), volume=VolumeSteps()), sink=lambda _c: None)
    for change in (voice.volume_down, voice.volume_up, voice.volume_up, voice.volume_up, voice.volume_up):
        change()
    assert voice.volume_index == 4  # stops at the top, does not wrap
    chunks: list[bytes] = []
    loud = EspeakSpeech(EspeakSettings(player=()), sink=chunks.append)
    for up in (True, False):
        chunks.clear()
        if up:
            loud.volume_up()
            loud.volume_up()
        else:
            loud.reset_volume()
        loud.speak("Số mười hai", "vi")
        assert loud.last_utterance is not None
        assert loud.last_utterance.wait(10)
        levels.append(stream_sound(b"".join(chunks)).rms)
    voice.reset_volume()
    assert voice.volume_index == 2
    assert levels[0] > 1.5 * levels[1]


def _slow_player(tmp_path: Path) -> tuple[str, ...]:
    """A loudspeaker stand-in that takes audio at the real rate (22050 Hz × 2 bytes) and keeps it in a file."""
    script = tmp_path / "slow_player.py"
    script.write_text(
        "import sys, time\n"
        "out = open(sys.argv[1], 'wb')\n"
        "while chunk := sys.stdin.buffer.read1(4410):\n"
        "    out.write(chunk); out.flush(); time.sleep(0.1)\n",
        encoding="utf-8",
    )
    return (sys.executable, str(script), str(tmp_path / "played.wav"))


def test_a_new_utterance_cuts_off_a_long_one_within_a_bound(tmp_path: Path) -> None:
    voice = EspeakSpeech(EspeakSettings(player=_slow_player(tmp_path)))
    voice.speak(LONG_VI, "vi")
    long_one = voice.last_utterance
    assert long_one is not None
    assert long_one.wait_first_audio(5) is not None
    time.sleep(0.5)
    assert voice.speaking
    cut = time.perf_counter()
    voice.speak("Xin chào.", "vi")
    assert long_one.wait(2)
    stopped_after = time.perf_counter() - cut
    assert long_one.interrupted
    assert stopped_after < 0.5
    played = (tmp_path / "played.wav").stat().st_size
    assert played < 44100 * 5  # seconds of a many-minute text, not all of it
    short = voice.last_utterance
    assert short is not None
    assert short is not long_one
    assert short.wait(10)
    assert not short.interrupted
    voice.close()


def test_stop_silences_at_once_and_a_player_gets_the_stream(tmp_path: Path) -> None:
    if shutil.which("sox") is None:
        pytest.skip("sox is in the kiosk's apt list")
    out = tmp_path / "through_sox.wav"
    voice = EspeakSpeech(EspeakSettings(player=("sox", "-q", "-t", "wav", "-", str(out))))
    voice.speak(TICKET_VI, "vi")
    utterance = voice.last_utterance
    assert utterance is not None
    assert utterance.wait(20)
    assert read_wav(out).rms > SILENCE_FLOOR
    slow = EspeakSpeech(EspeakSettings(player=_slow_player(tmp_path)))
    slow.speak(LONG_VI, "vi")
    long_one = slow.last_utterance
    assert long_one is not None
    assert long_one.wait_first_audio(5) is not None
    slow.stop()
    assert long_one.wait(1)
    assert long_one.interrupted
    assert not slow.speaking


def test_a_missing_engine_is_a_speech_error(tmp_path: Path) -> None:
    with pytest.raises(SpeechError):
        render_wav("xin chào", "vi", tmp_path / "x.wav", EspeakSettings(executable=str(tmp_path / "no-espeak")))
    voice = EspeakSpeech(EspeakSettings(executable=str(tmp_path / "no-espeak"), player=()), sink=lambda _c: None)
    with pytest.raises(SpeechError):
        voice.speak("xin chào", "vi")
