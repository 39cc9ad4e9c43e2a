"""The `[speech]` section of a kiosk's settings, and building the voice and the guide from it.

Validated once at the edge (pydantic, like kiosk/settings.py); the composition root (kiosk/runtime) calls
`build_guide(settings.speech, warning_s)` and starts the headphone-jack watcher (`kiosk.runtime.devices`).
"""

from __future__ import annotations

import shlex
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kiosk.speech.activation import ActivationConfig, SpeechMode, Trigger
from kiosk.speech.espeak_adapter import AudioSink, EspeakSettings, EspeakSpeech
from kiosk.speech.guide import SpeechGuide
from kiosk.speech.jack_adapter import JackSettings
from kiosk.speech.keypad import KeypadMap, KioskKey
from kiosk.speech.port import VolumeSteps


class SpeechSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    triggers: tuple[Literal["any_key", "help_key", "headphones"], ...] = ("any_key", "headphones")
    always_on: bool = False  # a kiosk where every patient hears the voice
    voice_vi: str = Field(default="vi", description="espeak-ng voice: vi, vi-vn-x-central, vi-vn-x-south")
    voice_en: str = "en"
    words_per_minute: int = Field(default=150, ge=80, le=300)
    player: str | None = Field(default=None, description='e.g. "aplay -q -D plughw:1,0 -"; unset: aplay/paplay/play')
    volume_levels: tuple[int, ...] = (40, 70, 100, 140, 180)
    start_level: int = Field(default=3, ge=1, description="1-based; every patient starts here")
    jack_card: str = "0"
    jack_control: str = "Headphone Jack"
    keys: dict[int, KioskKey] = Field(default_factory=dict, description="Kivy key code → kiosk key, per keypad model")

    @model_validator(mode="after")
    def _volume_steps_make_sense(self) -> SpeechSettings:
        VolumeSteps(self.volume_levels, self.start_level - 1)  # raises ValueError with the reason
        return self

    def espeak(self) -> EspeakSettings:
        player = tuple(shlex.split(self.player)) if self.player is not None else None
        return EspeakSettings(
            voices={"vi": self.voice_vi, "en": self.voice_en},
            words_per_minute=self.words_per_minute,
            player=player,
            volume=VolumeSteps(self.volume_levels, self.start_level - 1),
        )

    def mode(self) -> SpeechMode:
        return SpeechMode(ActivationConfig(frozenset(Trigger(t) for t in self.triggers), stay_on=self.always_on))

    def jack(self) -> JackSettings:
        return JackSettings(card=self.jack_card, control=self.jack_control)


def build_guide(settings: SpeechSettings, warning_s: float, sink: AudioSink | None = None) -> SpeechGuide:
    """The speech guide on espeak-ng, as the settings say."""
    voice = EspeakSpeech(settings.espeak(), sink=sink)
    return SpeechGuide(voice, settings.mode(), KeypadMap().with_keys(settings.keys), warning_s=warning_s)
