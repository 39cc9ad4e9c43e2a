"""Deleting personal data past retention: every table of the registry, a batch per transaction (ticket writes go on
between batches), by one hub process at a time (an advisory lock on PostgreSQL, an flock beside the SQLite file).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, select, text

from kiosk.domain.dates import local_date
from kiosk_hub.hub import Hub
from kiosk_hub.retention.registry import PURGEABLE, Cutoff, PurgeableTable

BATCH = 2000
# pg_try_advisory_lock's key for "a purge is running": any fixed number no other part of the hub uses.
PURGE_LOCK_KEY = 0x6B696F736B707267  # "kioskprg"


@dataclass(frozen=True)
class PurgeReport:
    cutoff: Cutoff
    rows: dict[str, int]  # table -> rows deleted (or that would be, on a dry run)
    dry_run: bool
    skipped: bool = False  # another process was purging: nothing done here


def cutoff_for(now: datetime, days: int) -> Cutoff:
    return Cutoff(now - timedelta(days=days), local_date(now) - timedelta(days=days))


def purge(hub: Hub, days: int, *, dry_run: bool = False) -> PurgeReport:
    """Delete (or count, on a dry run) every row past `days` of retention."""
    if days < 1:
        raise ValueError("retention must be at least one day: today's queue is in the tables")
    cutoff = cutoff_for(hub.clock(), days)
    with purge_lock(hub.engine) as held:
        if not held:
            return PurgeReport(cutoff, {}, dry_run, skipped=True)
        rows = {
            entry.name: (_count(hub, entry, cutoff) if dry_run else _delete(hub, entry, cutoff)) for entry in PURGEABLE
        }
    return PurgeReport(cutoff, rows, dry_run)


def _count(hub: Hub, entry: PurgeableTable, cutoff: Cutoff) -> int:
    with hub.reader() as session:
        return int(session.scalar(select(func.count()).select_from(entry.table).where(entry.expired(cutoff))) or 0)


def _delete(hub: Hub, entry: PurgeableTable, cutoff: Cutoff) -> int:
    (key,) = entry.table.primary_key.columns
    total = 0
    while True:
        batch = select(key).where(entry.expired(cutoff)).limit(BATCH).scalar_subquery()
        with hub.writer() as session:
            result = session.execute(delete(entry.table).where(key.in_(batch)))
            deleted = int(result.rowcount)  # type: ignore[attr-defined]
            session.commit()
        total += deleted
        if deleted < BATCH:
            return total


@contextlib.contextmanager
def purge_lock(engine: Engine) -> Iterator[bool]:
    """Yields True when this process may purge now, False when another one is purging."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": PURGE_LOCK_KEY}).scalar())
            conn.commit()  # a session-level lock outlives the transaction; the connection must not idle inside one
            try:
                yield held
            finally:
                if held:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PURGE_LOCK_KEY})
                    conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield True
        return
    fd = os.open(f"{database}-purge.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
