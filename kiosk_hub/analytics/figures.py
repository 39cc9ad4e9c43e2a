"""The queue's figures over a span of days, read from the tickets: counts and durations only, never who.

Per day, department and lane: tickets issued by local hour, how many were called and cancelled, and the wait from
issue to call (p50, p90 in minutes). No-shows and transfers are not in the tickets' data yet: the calling pages
record them, and these figures grow with them."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.domain.dates import VN_TZ
from kiosk_hub.db.engine import as_utc
from kiosk_hub.db.models import Ticket, TicketStatus

LONGEST_SPAN_DAYS = 92  # one query reads the span's tickets: a quarter at most


@dataclass
class QueueDay:
    """One day of one department's lane."""

    day: date
    department_id: str
    lane: str
    issued_by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    cancelled: int = 0
    waits_minutes: list[float] = field(default_factory=list)  # issue to call, of every called ticket

    @property
    def issued(self) -> int:
        return sum(self.issued_by_hour)

    @property
    def called(self) -> int:
        return len(self.waits_minutes)

    def wait(self, percent: int) -> float | None:
        return percentile(self.waits_minutes, percent)


def percentile(values: list[float], percent: int) -> float | None:
    """The value `percent` % of them are at or under (inclusive method); None for none."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


_COLUMNS = select(
    Ticket.day, Ticket.department_id, Ticket.lane, Ticket.status, Ticket.issued_at, Ticket.called_at
).order_by(Ticket.day, Ticket.department_id, Ticket.lane)


def queue_days(session: Session, first: date, last: date, department_id: str | None = None) -> list[QueueDay]:
    """Every (day, department, lane) with tickets between `first` and `last` (local days, both included)."""
    query = _COLUMNS.where(Ticket.day >= first, Ticket.day <= last)
    if department_id:
        query = query.where(Ticket.department_id == department_id)
    return summarise(session.execute(query).all())


def summarise(rows: Iterable[tuple[date, str, str, str, datetime, datetime | None]]) -> list[QueueDay]:
    found: dict[tuple[date, str, str], QueueDay] = {}
    for day, department_id, lane, status, issued_at, called_at in rows:
        key = (day, department_id, lane)
        figures = found.get(key)
        if figures is None:
            figures = found[key] = QueueDay(day, department_id, lane)
        issued = as_utc(issued_at)
        figures.issued_by_hour[issued.astimezone(VN_TZ).hour] += 1
        if status == TicketStatus.CANCELLED.value:
            figures.cancelled += 1
        if called_at is not None:
            figures.waits_minutes.append(max(0.0, (as_utc(called_at) - issued).total_seconds() / 60))
    return list(found.values())


def by_department_and_lane(days: list[QueueDay]) -> list[QueueDay]:
    """The span's days folded into one row per department and lane (`day` is the span's first day)."""
    folded: dict[tuple[str, str], QueueDay] = {}
    for one in days:
        into = folded.get((one.department_id, one.lane))
        if into is None:
            into = folded[(one.department_id, one.lane)] = QueueDay(one.day, one.department_id, one.lane)
        into.issued_by_hour = [a + b for a, b in zip(into.issued_by_hour, one.issued_by_hour, strict=True)]
        into.cancelled += one.cancelled
        into.waits_minutes.extend(one.waits_minutes)
    return sorted(folded.values(), key=lambda q: (q.department_id, q.lane))


def issued_by_hour(days: list[QueueDay]) -> dict[str, list[int]]:
    """Tickets issued per local hour, per department, over the span."""
    hours: dict[str, list[int]] = {}
    for one in days:
        into = hours.setdefault(one.department_id, [0] * 24)
        for hour, count in enumerate(one.issued_by_hour):
            into[hour] += count
    return dict(sorted(hours.items()))
