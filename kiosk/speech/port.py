"""The speech port: what the kiosk needs from a voice, whatever engine or loudspeaker is behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class SpeechError(Exception):
    """The voice could not be started (engine missing, bad configuration); the kiosk keeps working silently."""


@dataclass(frozen=True, slots=True)
class VolumeSteps:
    """Loudness levels a patient steps through with the volume keys; one starting level for every patient.

    Values are espeak-ng amplitudes (0–200, 100 = the engine's default); the steps are coarse on purpose so that
    one key press is clearly audible.
    """

    levels: tuple[int, ...] = (40, 70, 100, 140, 180)
    start_index: int = 2

    def __post_init__(self) -> None:
        if not self.levels or not 0 <= self.start_index < len(self.levels):
            raise ValueError("the starting volume must be one of the levels")
        if list(self.levels) != sorted(set(self.levels)) or self.levels[0] < 1 or self.levels[-1] > 200:
            raise ValueError("volume levels must rise strictly within 1..200")


class SpeechPort(Protocol):
    """A voice that says one thing at a time: a new utterance interrupts the one in progress."""

    def speak(self, text: str, language: str) -> None:
        """Start saying `text` now (NFC), cutting off whatever is being said; returns without waiting."""

    def stop(self) -> None:
        """Silence at once."""

    def repeat(self) -> None:
        """Say the last utterance again (at the current volume)."""

    def volume_up(self) -> int:
        """One step louder (from the next utterance); returns the new level's index."""

    def volume_down(self) -> int:
        """One step quieter; returns the new level's index."""

    def reset_volume(self) -> None:
        """Back to the starting level: done for every new patient."""

    @property
    def volume_levels(self) -> int:
        """How many volume steps there are (the voice says "3 of 5")."""

    @property
    def speaking(self) -> bool:
        """True while an utterance is being produced or played."""
