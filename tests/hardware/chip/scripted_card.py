"""Card links for in-process tests: a card scripted with a worked example's answers, and the emulated card direct."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tests.support.emulated_card import EmulatedCccd


class ScriptedCard:
    """Answers with the responses printed in a worked example and records what the reader sent."""

    def __init__(self, answers: list[str]) -> None:
        self._answers: Iterator[str] = iter(answers)
        self.sent: list[bytes] = []

    def transmit(self, command: bytes) -> bytes:
        self.sent.append(command)
        return bytes.fromhex(next(self._answers))


def fixed_random(values: list[str]) -> Callable[[int], bytes]:
    """The example's "random" values, in order (each call must ask for exactly the next value's length)."""
    queue = iter(values)

    def draw(size: int) -> bytes:
        value = bytes.fromhex(next(queue))
        assert len(value) == size
        return value

    return draw


class DirectLink:
    """An emulated card in the same process: each command goes straight to its state machine; reset resets it."""

    def __init__(self, card: EmulatedCccd) -> None:
        self.card = card

    def transmit(self, command: bytes) -> bytes:
        return self.card.process(command)

    def reset(self) -> None:
        self.card.reset()
