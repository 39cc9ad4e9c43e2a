"""When the kiosk starts speaking: a key on the tactile keypad, or headphones plugged in (configurable).

Section 508 §407.3 / EN 301 549 §5.1.3: a patient must be able to start speech without seeing the screen, so the
trigger is found by touch (any keypad key, or only the raised Help key) or by plugging headphones into the jack.
Speech stays on for the rest of that patient's visit, and goes off for the next one unless headphones are still in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from kiosk.speech.keypad import KeyPress, KioskKey


class Trigger(StrEnum):
    ANY_KEY = "any_key"  # any key of the tactile keypad
    HELP_KEY = "help_key"  # only the Help key (where the keypad is shared with sighted staff)
    HEADPHONES = "headphones"


class Output(StrEnum):
    LOUDSPEAKER = "loudspeaker"
    HEADPHONES = "headphones"


@dataclass(frozen=True, slots=True)
class ActivationConfig:
    triggers: frozenset[Trigger] = field(default_factory=lambda: frozenset({Trigger.ANY_KEY, Trigger.HEADPHONES}))
    stay_on: bool = False  # a kiosk dedicated to speech (e.g. at a blind association's desk): never turns off


@dataclass(frozen=True, slots=True)
class SpeechMode:
    """Whether the voice is on, and why (so a patient's departure does not turn off a jack still in use)."""

    config: ActivationConfig = field(default_factory=ActivationConfig)
    on: bool = False
    headphones: bool = False

    def __post_init__(self) -> None:
        if self.config.stay_on and not self.on:
            object.__setattr__(self, "on", True)

    @property
    def output(self) -> Output:
        return Output.HEADPHONES if self.headphones else Output.LOUDSPEAKER

    def key_pressed(self, press: KeyPress) -> tuple[SpeechMode, bool]:
        """The mode after a key, and whether that key only switched speech on (it must not also act)."""
        if self.on:
            return self, False
        triggers = self.config.triggers
        if Trigger.ANY_KEY in triggers or (Trigger.HELP_KEY in triggers and press.key == KioskKey.HELP):
            return replace(self, on=True), True
        return self, False

    def headphones_changed(self, connected: bool) -> SpeechMode:
        starts = connected and Trigger.HEADPHONES in self.config.triggers
        return replace(self, headphones=connected, on=self.on or starts)

    def patient_left(self) -> SpeechMode:
        keep = self.config.stay_on or (self.headphones and Trigger.HEADPHONES in self.config.triggers)
        return replace(self, on=keep)
