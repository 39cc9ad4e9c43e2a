"""The decode pipeline's order, hint and deadline, and the repeat window, driven with recording decoders."""

from __future__ import annotations

import numpy as np

from kiosk.hardware.camera.codes import FoundCode
from kiosk.hardware.camera.pipeline import DecodePipeline, FirstPass, Frame, Retry
from kiosk.hardware.camera.repeats import RecentPayloads


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _retry(name: str, clock: Clock, cost: float, calls: list[str], found: str | None = None) -> Retry:
    def run(_grey: Frame) -> list[FoundCode]:
        calls.append(name)
        clock.now += cost
        return [FoundCode(found)] if found else []

    return Retry(name, run)


def _pipeline(first: FirstPass, retries: list[Retry], clock: Clock, deadline: float | None = 0.030) -> DecodePipeline:
    return DecodePipeline(
        to_grey=lambda f: f, first=lambda _g: first, retries=retries, deadline_s=deadline, clock=clock
    )


FRAME = np.zeros((4, 4), np.uint8)


def test_no_retry_when_the_first_decoder_saw_no_symbol() -> None:
    clock, calls = Clock(), []
    pipeline = _pipeline(FirstPass([], unread_symbol=False), [_retry("a", clock, 0.001, calls)], clock)
    assert pipeline.decode(FRAME).codes == []
    assert calls == []


def test_retries_run_when_a_symbol_was_seen_but_not_read_and_codes_are_merged() -> None:
    clock, calls = Clock(), []
    first = FirstPass([FoundCode("A")], unread_symbol=True)
    retries = [_retry("clahe", clock, 0.001, calls, "B"), _retry("zbar", clock, 0.001, calls, "A")]
    result = _pipeline(first, retries, clock).decode(FRAME)
    assert [c.payload for c in result.codes] == ["A", "B"]
    assert result.attempts == ("first", "clahe", "zbar")


def test_a_retry_that_does_not_fit_the_deadline_goes_first_on_the_next_frame() -> None:
    clock, calls = Clock(), []
    retries = [_retry("cheap", clock, 0.005, calls), _retry("slow", clock, 0.025, calls)]
    pipeline = _pipeline(FirstPass([], unread_symbol=True), retries, clock)
    pipeline.decode(FRAME)  # learns the costs: 5 ms and 25 ms, 30 ms in all
    calls.clear()
    clock.now += 1
    pipeline.first = lambda _g: (clock.__setattr__("now", clock.now + 0.010), FirstPass([], True))[1]
    first_frame = pipeline.decode(FRAME)  # 10 ms spent: "cheap" fits, "slow" does not
    assert calls == ["cheap"]
    assert first_frame.out_of_time
    calls.clear()
    pipeline.decode(FRAME)
    assert calls == ["slow"]  # its turn came on the next frame


def test_without_deadline_every_retry_runs() -> None:
    clock, calls = Clock(), []
    retries = [_retry(n, clock, 0.050, calls) for n in ("a", "b", "c")]
    _pipeline(FirstPass([], unread_symbol=True), retries, clock, deadline=None).decode(FRAME)
    assert calls == ["a", "b", "c"]


def test_same_payload_within_the_window_is_one_scan() -> None:
    recent = RecentPayloads(window_s=3.0)
    assert recent.is_new("CCCD", 0.0)
    assert not recent.is_new("CCCD", 1.0)
    assert not recent.is_new("CCCD", 3.5)  # still held up: each sighting extends the window
    assert recent.is_new("BHYT", 3.6)
    assert recent.is_new("CCCD", 7.0)  # shown again after more than 3 s away
