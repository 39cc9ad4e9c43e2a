"""The [speech] settings: TOML in, a working guide on the real espeak-ng out; bad values refused with a reason."""

from __future__ import annotations

import shutil
import tomllib

import pytest
from pydantic import ValidationError

from kiosk.flow.state import Session
from kiosk.runtime.devices import headphone_jack
from kiosk.speech.keypad import KioskKey
from kiosk.speech.settings import SpeechSettings, build_guide
from tests.speech.audio import stream_sound

TOML = """
[speech]
triggers = ["help_key"]
voice_vi = "vi-vn-x-south"
words_per_minute = 130
volume_levels = [50, 100, 150]
start_level = 2
keys = { 286 = "repeat" }
"""


def test_a_speech_section_builds_a_guide_that_speaks_through_espeak_ng() -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is a Debian package of the kiosk")
    settings = SpeechSettings.model_validate(tomllib.loads(TOML)["speech"])
    assert settings.keys == {286: KioskKey.REPEAT}
    assert settings.espeak().voice_for("vi") == "vi-vn-x-south"
    chunks: list[bytes] = []
    guide = build_guide(settings, warning_s=25, sink=chunks.append)
    guide.show(Session())
    assert guide.key_down(274, Session()) == ()  # help_key only: Down neither speaks nor (on HOME) sends anything
    assert chunks == []
    guide.key_down(282, Session())  # F1: speech on
    voice = guide.voice
    utterance = getattr(voice, "last_utterance", None)
    assert utterance is not None
    assert utterance.wait(20)
    assert stream_sound(b"".join(chunks)).rms > 0.02
    assert headphone_jack(settings, lambda _on: None) is None


def test_defaults_need_no_section_and_watch_the_jack() -> None:
    settings = SpeechSettings()
    assert settings.mode().on is False
    assert settings.espeak().volume.start_index == 2
    assert headphone_jack(settings, lambda _on: None) is not None
    assert SpeechSettings(always_on=True).mode().on is True


@pytest.mark.parametrize(
    "bad",
    [
        {"volume_levels": [100, 50]},
        {"start_level": 9},
        {"words_per_minute": 20},
        {"triggers": ["shake"]},
        {"keys": {"13": "jump"}},
        {"loudness": 3},
    ],
)
def test_bad_speech_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SpeechSettings.model_validate(bad)
