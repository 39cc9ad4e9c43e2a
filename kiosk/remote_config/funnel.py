"""Today's funnel counters on one kiosk, for the heartbeat: counts by method, reason and BHXH code, never who."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from kiosk.domain.dates import local_date
from kiosk.remote_config.schema import FunnelCounters


class FunnelTally:
    """The flow calls these as patients go through; counters restart at midnight hospital time."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._day: date = local_date(clock())
        self._counters = FunnelCounters()

    def _today(self) -> FunnelCounters:
        day = local_date(self._clock())
        if day != self._day:
            self._day, self._counters = day, FunnelCounters()
        return self._counters

    def identified(self, method: str) -> None:
        _bump(self._today().identifications, method)

    def identification_failed(self, reason: str) -> None:
        _bump(self._today().identification_failures, reason)

    def entitlement(self, bhxh_code: str) -> None:
        _bump(self._today().entitlement_actions, bhxh_code)

    def ticket(self) -> None:
        self._today().tickets += 1

    def desk_slip(self) -> None:
        self._today().desk_slips += 1

    def print_failed(self) -> None:
        self._today().print_failures += 1

    def snapshot(self) -> tuple[str, FunnelCounters]:
        """(hospital day ISO, a copy of its counters) for the heartbeat."""
        counters = self._today()
        return self._day.isoformat(), counters.model_copy(deep=True)


def _bump(counts: dict[str, int], key: str) -> None:
    key = key[:40]  # codes, not free text: bounded so a bug cannot grow the heartbeat
    counts[key] = counts.get(key, 0) + 1
