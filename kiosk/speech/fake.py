"""A voice that writes down what it would say: for flow/UI tests and the demo on a machine without sound."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.speech.port import SpeechError, VolumeSteps


@dataclass
class RecordingVoice:
    """SpeechPort that records utterances (text, language, volume level) instead of making sound."""

    steps: VolumeSteps = field(default_factory=VolumeSteps)
    said: list[tuple[str, str, int]] = field(default_factory=list)
    stops: int = 0
    volume_index: int = -1
    fail: bool = False  # switchable fault: the engine is missing

    def __post_init__(self) -> None:
        self.volume_index = self.steps.start_index

    def speak(self, text: str, language: str) -> None:
        if self.fail:
            raise SpeechError("voice switched off by the test")
        self.said.append((text, language, self.volume_index))

    def stop(self) -> None:
        self.stops += 1

    def repeat(self) -> None:
        if self.said:
            self.said.append((*self.said[-1][:2], self.volume_index))

    def volume_up(self) -> int:
        self.volume_index = min(self.volume_index + 1, len(self.steps.levels) - 1)
        return self.volume_index

    def volume_down(self) -> int:
        self.volume_index = max(self.volume_index - 1, 0)
        return self.volume_index

    def reset_volume(self) -> None:
        self.volume_index = self.steps.start_index

    @property
    def volume_levels(self) -> int:
        return len(self.steps.levels)

    @property
    def speaking(self) -> bool:
        return False

    @property
    def last(self) -> str:
        return self.said[-1][0] if self.said else ""
