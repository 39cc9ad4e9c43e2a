"""A circuit breaker per dependency (hub, printer): fail fast while it is known down, probe now and then to close.

The state is what the screens' banner and the heartbeat read (`BreakerState`); transitions are logged with the
dependency's name only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import StrEnum

log = logging.getLogger("kiosk.offline")


class BreakerState(StrEnum):
    CLOSED = "closed"  # calls go through
    OPEN = "open"  # calls fail at once, without waiting for a dead dependency
    HALF_OPEN = "half_open"  # one probe call is let through; its outcome closes or re-opens the breaker


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        *,
        failures_to_open: int = 1,
        open_for_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # One failure is enough for the hub: a failed call has already been retried by the HIS client.
        self.name = name
        self._failures_to_open = failures_to_open
        self._open_for_s = open_for_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._probing or self._clock() - self._opened_at >= self._open_for_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """Whether a call may try the dependency now; in half-open, only one caller (the probe) gets a yes."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        return False

    def succeeded(self) -> None:
        if self._opened_at is not None:
            log.info("%s is back: breaker closed", self.name)
        self._failures, self._opened_at, self._probing = 0, None, False

    def failed(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self._failures_to_open:
            if self._opened_at is None:
                log.warning("%s unreachable: breaker open", self.name)
            self._opened_at, self._probing = self._clock(), False
