"""Today's queue of a department read from the store: how many wait, who is next, how far back a ticket is.

Counters live in `queue_counters` rows keyed (department, day, key): the two lanes' last numbers, the call
sequence, and the interleave streak (normal tickets called since the last priority one).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kiosk_hub.db.models import Lane, LanePolicy, QueueCounter, Ticket, TicketStatus
from kiosk_hub.queue_order import position

CALL_SEQUENCE = "call"  # numbers the calls of a department's day; clocks can tie, this cannot
STREAK = "streak"  # normal tickets called since the last priority one (the interleave rhythm)


def _upsert(session: Session, department_id: str, day: date, key: str, first: int, then: ColumnElement[int]) -> int:
    """Atomically set a counter row (insert `first`, else `then`) and return its new value."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = insert(QueueCounter).values(department_id=department_id, day=day, lane=key, last_number=first)
    upsert = values.on_conflict_do_update(
        index_elements=[QueueCounter.department_id, QueueCounter.day, QueueCounter.lane],
        set_={"last_number": then},
    ).returning(QueueCounter.last_number)
    return int(session.execute(upsert).scalar_one())


def next_number(session: Session, department_id: str, day: date, key: str) -> int:
    """The next number of a lane (or of the call sequence): 1 for the day's first, then +1, never repeated."""
    return _upsert(session, department_id, day, key, 1, QueueCounter.last_number + 1)


def record_call(session: Session, department_id: str, day: date, lane: Lane) -> None:
    if lane is Lane.PRIORITY:
        _upsert(session, department_id, day, STREAK, 0, QueueCounter.last_number * 0)
    else:
        _upsert(session, department_id, day, STREAK, 1, QueueCounter.last_number + 1)


def normals_since_priority(session: Session, department_id: str, day: date) -> int:
    row = session.get(QueueCounter, (department_id, day, STREAK))
    return row.last_number if row is not None else 0


def tickets_ahead(
    session: Session,
    department_id: str,
    policy: LanePolicy,
    every: int,
    day: date,
    lane: Lane,
    number: int | None,
) -> int:
    """Waiting tickets called before a ticket of this lane and number (None: one issued now)."""
    same_lane = Ticket.lane == lane
    ahead_in_lane = same_lane if number is None else same_lane & (Ticket.number < number)
    same, other = session.execute(
        select(
            func.count().filter(ahead_in_lane),
            func.count().filter(Ticket.lane != lane),
        ).where(Ticket.department_id == department_id, Ticket.day == day, Ticket.status == TicketStatus.WAITING)
    ).one()
    streak = normals_since_priority(session, department_id, day) if policy is LanePolicy.INTERLEAVED else 0
    return position(lane is Lane.PRIORITY, int(same), int(other), policy, every, streak)


def first_waiting(session: Session, department_id: str, day: date, lane: Lane) -> Ticket | None:
    return session.scalars(
        select(Ticket)
        .where(
            Ticket.department_id == department_id,
            Ticket.day == day,
            Ticket.lane == lane,
            Ticket.status == TicketStatus.WAITING,
        )
        .order_by(Ticket.number)
        .limit(1)
    ).first()
