"""The decode pipeline: the fastest decoder first, then retries on preprocessed frames only when a code is likely.

Pure logic over callables so the order can be tested and benchmarked; `pipeline_adapter` wires in the OpenCV
preprocessing and the decoders chosen by `bench/qr_decode.py`. A deadline per frame keeps the preview fluent: a
retry that does not fit is left for a later frame (the patient is still holding the card up).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from kiosk.hardware.camera.codes import FoundCode

Frame = np.ndarray


@dataclass(frozen=True, slots=True)
class FirstPass:
    """What the fast first decoder saw: codes it read, and whether it located a symbol it could not read."""

    codes: list[FoundCode]
    unread_symbol: bool


@dataclass(frozen=True, slots=True)
class Retry:
    """One fallback: a named preprocessing of the grey frame and a decoder run on its result."""

    name: str
    run: Callable[[Frame], list[FoundCode]]


@dataclass(frozen=True, slots=True)
class FrameDecode:
    """The outcome for one frame."""

    codes: list[FoundCode]
    attempts: tuple[str, ...]
    seconds: float
    out_of_time: bool = False


@dataclass
class DecodePipeline:
    """Decode one camera frame within a deadline."""

    to_grey: Callable[[Frame], Frame]
    first: Callable[[Frame], FirstPass]
    retries: Sequence[Retry]
    deadline_s: float | None = 0.030
    clock: Callable[[], float] = time.perf_counter
    _next_retry: int = field(default=0, repr=False)

    _cost_s: dict[str, float] = field(default_factory=dict, repr=False)

    def decode(self, frame: Frame) -> FrameDecode:
        start = self.clock()
        grey = self.to_grey(frame)
        first = self.first(grey)
        codes = _unique(first.codes)
        attempts = ["first"]
        if not first.unread_symbol or not self.retries:
            return FrameDecode(codes, tuple(attempts), self.clock() - start)
        count = len(self.retries)
        order = [(self._next_retry + i) % count for i in range(count)]
        skipped: list[int] = []
        for index in order:
            retry = self.retries[index]
            # The retry whose turn it is always runs, so a slow one is not starved by the deadline forever.
            if index != order[0] and not self._fits(retry, start):
                skipped.append(index)
                continue
            began = self.clock()
            attempts.append(retry.name)
            codes = _unique([*codes, *retry.run(grey)])
            self._learn_cost(retry, self.clock() - began)
        # A retry that did not fit goes first on the next frame: the patient is still holding the code up.
        self._next_retry = skipped[0] if skipped else 0
        return FrameDecode(codes, tuple(attempts), self.clock() - start, out_of_time=bool(skipped))

    def _fits(self, retry: Retry, start: float) -> bool:
        if self.deadline_s is None:
            return True
        return self.clock() - start + self._cost_s.get(retry.name, 0.0) <= self.deadline_s

    def _learn_cost(self, retry: Retry, seconds: float) -> None:
        previous = self._cost_s.get(retry.name)
        self._cost_s[retry.name] = seconds if previous is None else 0.8 * previous + 0.2 * seconds


def _unique(codes: Sequence[FoundCode]) -> list[FoundCode]:
    seen: dict[str, FoundCode] = {}
    for code in codes:
        seen.setdefault(code.payload, code)
    return list(seen.values())
