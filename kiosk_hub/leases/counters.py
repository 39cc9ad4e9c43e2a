"""Carving a block out of a department lane's day counter, in one atomic upsert (the hub's numbering row)."""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kiosk_hub.db.models import QueueCounter

COUNTERS = cast(Table, QueueCounter.__table__)
_RESERVE = {
    dialect: insert(COUNTERS)
    .values(
        department_id=bindparam("department_id"),
        day=bindparam("day"),
        lane=bindparam("lane"),
        last_number=bindparam("n"),
    )
    .on_conflict_do_update(
        index_elements=[COUNTERS.c.department_id, COUNTERS.c.day, COUNTERS.c.lane],
        set_={"last_number": COUNTERS.c.last_number + bindparam("n")},
    )
    .returning(COUNTERS.c.last_number)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def reserve_block(session: Session, department_id: str, day: date, lane: str, size: int) -> tuple[int, int]:
    """The first and last number of a fresh block: the counter jumps past it, so online tickets never reuse it."""
    statement = _RESERVE["postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"]
    params = {"department_id": department_id, "day": day, "lane": lane, "n": size}
    last = int(session.connection().execute(statement, params).scalar_one())
    return last - size + 1, last
