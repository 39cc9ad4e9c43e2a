"""Today's queue of a department read from the store: how many wait, who is next, how far back a ticket is.

Each lane's last number lives in a `queue_counters` row keyed (department, day, lane); calling has one
`call_counters` row per (department, day): the number of the last call, and the normal tickets called since the
last priority one (the interleave rhythm).
"""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import Table, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kiosk.domain.ticket import Lane
from kiosk_hub.db.models import CallCounter, LanePolicy, QueueCounter, Ticket, TicketStatus
from kiosk_hub.queue.order import position

COUNTERS = cast(Table, QueueCounter.__table__)
CALLS = cast(Table, CallCounter.__table__)
TICKETS = cast(Table, Ticket.__table__)
_INSERTS = (("postgresql", pg_insert), ("sqlite", sqlite_insert))

# Built once: SQLAlchemy then reuses their compiled form, which matters on the ticket hot path.
_TAKE_NUMBERS = {
    dialect: insert(COUNTERS)
    .values(
        department_id=bindparam("department_id"),
        day=bindparam("day"),
        lane=bindparam("lane"),
        last_number=bindparam("count"),
    )
    .on_conflict_do_update(
        index_elements=[COUNTERS.c.department_id, COUNTERS.c.day, COUNTERS.c.lane],
        set_={"last_number": COUNTERS.c.last_number + bindparam("count")},
    )
    .returning(COUNTERS.c.last_number)
    for dialect, insert in _INSERTS
}
# A priority call restarts the rhythm (times 0, plus 0); a normal one adds to it (times 1, plus 1).
_RECORD_CALL = {
    dialect: insert(CALLS)
    .values(
        department_id=bindparam("department_id"),
        day=bindparam("day"),
        last_call=1,
        normals_since_priority=bindparam("plus"),
    )
    .on_conflict_do_update(
        index_elements=[CALLS.c.department_id, CALLS.c.day],
        set_={
            "last_call": CALLS.c.last_call + 1,
            "normals_since_priority": CALLS.c.normals_since_priority * bindparam("times") + bindparam("plus"),
        },
    )
    .returning(CALLS.c.last_call)
    for dialect, insert in _INSERTS
}
_STREAK = select(CALLS.c.normals_since_priority).where(
    CALLS.c.department_id == bindparam("department_id"),
    CALLS.c.day == bindparam("day"),
)
_AHEAD = select(
    func.count().filter((TICKETS.c.lane == bindparam("lane")) & (TICKETS.c.number < bindparam("number"))),
    func.count().filter(TICKETS.c.lane != bindparam("lane")),
).where(
    TICKETS.c.department_id == bindparam("department_id"),
    TICKETS.c.day == bindparam("day"),
    TICKETS.c.status == TicketStatus.WAITING.value,
)
_WAITING_BY_LANE = (
    select(TICKETS.c.lane, func.count())
    .where(
        TICKETS.c.department_id == bindparam("department_id"),
        TICKETS.c.day == bindparam("day"),
        TICKETS.c.status == TicketStatus.WAITING.value,
    )
    .group_by(TICKETS.c.lane)
)
NOT_YET_ISSUED = 2**31 - 1  # "a ticket issued now" stands behind every waiting one of its lane


def _dialect(session: Session) -> str:
    return "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"


def add_to_counter(session: Session, department_id: str, day: date, lane: str, count: int) -> int:
    """Take `count` numbers of a lane at once, atomically; returns the last of them (the first is last - count + 1).
    Numbers start at 1 each day and are never handed out twice."""
    params = {"department_id": department_id, "day": day, "lane": lane, "count": count}
    return int(session.connection().execute(_TAKE_NUMBERS[_dialect(session)], params).scalar_one())


def raise_counter(session: Session, department_id: str, day: date, lane: str, at_least: int) -> None:
    """The lane's counter moved up to `at_least` (a ticket that keeps its number into this lane): the lane never
    hands that number out again."""
    conn = session.connection()
    if add_to_counter(session, department_id, day, lane, 0) < at_least:
        conn.execute(
            COUNTERS.update()
            .where(COUNTERS.c.department_id == department_id, COUNTERS.c.day == day, COUNTERS.c.lane == lane)
            .values(last_number=at_least)
        )


def record_call(session: Session, department_id: str, day: date, lane: Lane) -> int:
    """Count a call of the department's day and move its interleave rhythm; returns the call's sequence number."""
    restart = lane is Lane.PRIORITY
    params = {"department_id": department_id, "day": day, "times": 0 if restart else 1, "plus": 0 if restart else 1}
    return int(session.connection().execute(_RECORD_CALL[_dialect(session)], params).scalar_one())


def normals_since_priority(session: Session, department_id: str, day: date) -> int:
    value = session.connection().execute(_STREAK, {"department_id": department_id, "day": day}).scalar()
    return int(value or 0)


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
    params = {
        "lane": lane.value,
        "number": NOT_YET_ISSUED if number is None else number,
        "department_id": department_id,
        "day": day,
    }
    same, other = session.connection().execute(_AHEAD, params).one()
    streak = normals_since_priority(session, department_id, day) if policy is LanePolicy.INTERLEAVED else 0
    return position(lane is Lane.PRIORITY, int(same), int(other), policy, every, streak)


class QueueCounts:
    """Each department's waiting tickets by lane, counted once per batch, after its inserts.

    A new ticket holds one of the highest numbers of its lane: the waiting tickets of its lane ahead of it are all
    of them but itself and the batch's tickets numbered after it; the other lane's count as the policy says.
    Inside the batch's transaction nothing else issues in these lanes (SQLite's write lock; PostgreSQL's lock on
    the lane's counter row)."""

    def __init__(self, session: Session, day: date) -> None:
        self._session = session
        self._day = day
        self._waiting: dict[str, dict[str, int]] = {}
        self._streak: dict[str, int] = {}

    def ahead_of_new(self, department_id: str, policy: LanePolicy, every: int, lane: Lane, behind: int) -> int:
        counts = self._waiting.get(department_id)
        if counts is None:
            params = {"department_id": department_id, "day": self._day}
            rows = self._session.connection().execute(_WAITING_BY_LANE, params).all()
            counts = self._waiting[department_id] = {str(row[0]): int(row[1]) for row in rows}
        other = Lane.NORMAL if lane is Lane.PRIORITY else Lane.PRIORITY
        streak = 0
        if policy is LanePolicy.INTERLEAVED:
            if department_id not in self._streak:
                self._streak[department_id] = normals_since_priority(self._session, department_id, self._day)
            streak = self._streak[department_id]
        same = counts.get(lane.value, 0) - behind - 1
        return position(lane is Lane.PRIORITY, same, counts.get(other.value, 0), policy, every, streak)


def first_waiting(
    session: Session, department_id: str, day: date, lane: Lane, room_id: str | None = None
) -> Ticket | None:
    """The lane's lowest waiting number; for a room, among the department's tickets for that room or for any room."""
    query = select(Ticket).where(
        Ticket.department_id == department_id,
        Ticket.day == day,
        Ticket.lane == lane,
        Ticket.status == TicketStatus.WAITING,
    )
    if room_id is not None:
        query = query.where(or_(Ticket.room_id.is_(None), Ticket.room_id == room_id))
    return session.scalars(query.order_by(Ticket.number).limit(1)).first()
