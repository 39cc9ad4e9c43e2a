"""Learning each department's pace, inside the transaction of the change that shows it.

Calls: the queue tells its watchers of every call (`queue/watch.py`); the gap since the department's previous
call is how long the department took to free a counter, as long as the called ticket was already waiting at that
previous call (otherwise the counter may have sat idle, and the gap says nothing about the pace). The same is
learned per room for tickets sent to a room. Done: the calling pages tell `record_service` how long a patient
spent at the counter.

Each observation moves an exponentially weighted mean of its local hour of the day and of the whole day. The first
samples of a row are plainly averaged (weight 1/n) until the weight reaches ALPHA, so one odd first gap does not
stick; a gap far beyond the row's mean (a lunch break, a counter closed with people waiting) counts as OUTLIER
times the mean, not as itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from sqlalchemy import Connection, Table, bindparam, case, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.dml import Insert

from kiosk.domain.dates import VN_TZ, local_date
from kiosk_hub.db.engine import as_utc
from kiosk_hub.queue.watch import Unwatched, WatchedTicket
from kiosk_hub.waits.models import ALL_DAY, EVERY_LANE, EVERY_ROOM, LastCall, Pace, ServiceRate

if TYPE_CHECKING:
    pass

RATES = cast(Table, ServiceRate.__table__)
LAST_CALLS = cast(Table, LastCall.__table__)
ALPHA = 0.15  # the weight of a new observation once a row has ~7 samples: it follows a day's change within the hour
OUTLIER = 4.0
LONGEST_VISIT = timedelta(hours=4)  # a Done later than this after Start is a forgotten button, not a visit


def _upsert_rate(dialect: str) -> Insert:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(RATES).values(
        department_id=bindparam("department_id"),
        room_id=bindparam("room_id"),
        lane=bindparam("lane"),
        pace=bindparam("pace"),
        hour=bindparam("hour"),
        mean_seconds=bindparam("seconds"),
        samples=1,
        updated_at=bindparam("moment"),
    )
    seen = stmt.excluded.mean_seconds
    mean, samples = RATES.c.mean_seconds, RATES.c.samples
    counted = case((seen > mean * OUTLIER, mean * OUTLIER), else_=seen)
    weight = case((samples + 1 < 1 / ALPHA, literal(1.0) / (samples + 1)), else_=literal(ALPHA))
    return stmt.on_conflict_do_update(
        index_elements=[RATES.c.department_id, RATES.c.room_id, RATES.c.lane, RATES.c.pace, RATES.c.hour],
        set_={
            "mean_seconds": mean + weight * (counted - mean),
            "samples": samples + 1,
            "updated_at": stmt.excluded.updated_at,
        },
    )


def _upsert_last_call(dialect: str) -> Insert:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(LAST_CALLS).values(
        department_id=bindparam("department_id"), room_id=bindparam("room_id"), called_at=bindparam("moment")
    )
    return stmt.on_conflict_do_update(
        index_elements=[LAST_CALLS.c.department_id, LAST_CALLS.c.room_id], set_={"called_at": stmt.excluded.called_at}
    )


_UPSERT_RATE = {dialect: _upsert_rate(dialect) for dialect in ("postgresql", "sqlite")}
_UPSERT_LAST_CALL = {dialect: _upsert_last_call(dialect) for dialect in ("postgresql", "sqlite")}
_LAST_CALL = select(LAST_CALLS.c.called_at).where(
    LAST_CALLS.c.department_id == bindparam("department_id"), LAST_CALLS.c.room_id == bindparam("room_id")
)


def _dialect(conn: Connection) -> str:
    return "postgresql" if conn.dialect.name == "postgresql" else "sqlite"


def observe(
    conn: Connection, department_id: str, rooms: Sequence[str], lanes: Sequence[str], pace: Pace, seconds: float,
    moment: datetime,
) -> None:  # fmt: skip
    """One observation into the rows of these rooms and lanes, at the moment's local hour and for all day."""
    hour = as_utc(moment).astimezone(VN_TZ).hour
    rows = [
        {
            "department_id": department_id,
            "room_id": room,
            "lane": lane,
            "pace": pace.value,
            "hour": h,
            "seconds": seconds,
            "moment": moment,
        }
        for room in rooms
        for lane in lanes
        for h in (hour, ALL_DAY)
    ]
    upsert = _UPSERT_RATE[_dialect(conn)]
    for row in rows:  # one by one: a multi-row upsert may not touch one row twice, and these are few
        conn.execute(upsert, row)


def _scopes(room_id: str | None) -> list[str]:
    return [EVERY_ROOM] if not room_id else [EVERY_ROOM, room_id]


def record_service(
    conn: Connection, department_id: str, room_id: str | None, lane: str, started: datetime, finished: datetime
) -> bool:
    """A patient's time at the counter, from Start to Done; the calling pages call this in the transaction that
    records the Done. False (and nothing learned) for a time no visit takes: negative, or longer than 4 hours."""
    took = as_utc(finished) - as_utc(started)
    if took <= timedelta(0) or took > LONGEST_VISIT:
        return False
    observe(conn, department_id, _scopes(room_id), [EVERY_LANE, lane], Pace.SERVICE, took.total_seconds(), finished)
    return True


class ServiceRateWatcher(Unwatched):
    """Implements `queue.watch.QueueWatcher`: learns call gaps from calls; the other changes teach nothing here (a
    room's time at the counter comes from `record_service`, called with the Start and Done times)."""

    def called(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        moment = as_utc(moment)
        issued = as_utc(ticket.issued_at)
        for room in _scopes(ticket.room_id):
            key = {"department_id": ticket.department_id, "room_id": room}
            previous = conn.execute(_LAST_CALL, key).scalar()
            conn.execute(_UPSERT_LAST_CALL[_dialect(conn)], {**key, "moment": moment})
            if previous is None:
                continue
            previous = as_utc(previous)
            busy = issued <= previous < moment and local_date(previous) == local_date(moment)
            if busy:
                gap = (moment - previous).total_seconds()
                observe(conn, ticket.department_id, [room], [EVERY_LANE], Pace.CALL_GAP, gap, moment)
