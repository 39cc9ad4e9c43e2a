"""The checks behind `GET /healthz`: the store answers and takes writes, its tables are at this code's migration, the
SQLite file's disk has room, and no write has failed since the last one that committed.

Each check is cheap (one query, one statvfs) so a load balancer may poll it every few seconds.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from kiosk_hub.health.store import StoreFault, StoreWatch, store_fault
from kiosk_hub.hub import Hub

WRITE_FAILURE_COUNTS_FOR = timedelta(seconds=60)


@dataclass(frozen=True)
class Check:
    ok: bool
    fault: StoreFault | None = None
    facts: dict[str, object] = field(default_factory=dict)


@functools.cache
def _revisions() -> tuple[str | None, frozenset[str]]:
    from alembic.script import ScriptDirectory

    from kiosk_hub.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return scripts.get_current_head(), frozenset(r.revision for r in scripts.walk_revisions())


def readiness(hub: Hub) -> dict[str, Check]:
    """Every check by name; the hub is ready when all are ok."""
    store, revision = _store(hub)
    checks = {"store": store}
    if store.ok:
        checks["migrations"] = _migrations(revision)
    database = hub.engine.url.database if hub.engine.dialect.name == "sqlite" else None
    if database and database != ":memory:":
        checks["disk"] = _disk(Path(database), hub.settings.min_free_disk_mb * 1024 * 1024)
    checks["writes"] = _writes(hub.store, hub.clock())
    return checks


def _store(hub: Hub) -> tuple[Check, str | None]:
    try:
        with hub.reader() as session:
            revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
            read_only = hub.engine.dialect.name == "postgresql" and bool(
                session.execute(
                    text("SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'")
                ).scalar()
            )
    except Exception as exc:  # what the store said is the answer, whatever it was
        return Check(False, store_fault(exc) or StoreFault.UNREACHABLE), None
    if read_only:
        return Check(False, StoreFault.READ_ONLY), revision
    return Check(True), revision


def _migrations(revision: str | None) -> Check:
    head, known = _revisions()
    facts: dict[str, object] = {"database": revision, "code": head}
    if revision == head:
        return Check(True, facts=facts)
    ahead = revision is not None and revision not in known  # a newer hub migrated it: this code is the old one
    return Check(False, StoreFault.MIGRATIONS_AHEAD if ahead else StoreFault.MIGRATIONS_BEHIND, facts)


def _disk(database: Path, min_free: int) -> Check:
    folder = database.parent
    try:
        stat = os.statvfs(folder)
    except OSError as exc:
        return Check(False, store_fault(exc) or StoreFault.UNREACHABLE)
    free = stat.f_bavail * stat.f_frsize
    facts: dict[str, object] = {"free_bytes": free}
    writable = not stat.f_flag & os.ST_RDONLY and os.access(folder, os.W_OK)
    if database.exists():
        writable = writable and os.access(database, os.W_OK)
    if not writable:
        return Check(False, StoreFault.READ_ONLY, facts)
    if free < min_free:
        return Check(False, StoreFault.DISK_FULL, facts)
    return Check(True, facts=facts)


def _writes(watch: StoreWatch, now: datetime) -> Check:
    seen = watch.last
    # A failure counts for a minute: a hub a load balancer took out of rotation gets no writes to prove itself
    # healthy again, so it comes back on trial and fails again if the store still does.
    if seen is None or now - seen.at > WRITE_FAILURE_COUNTS_FOR:
        return Check(True, facts={"last_failure": seen.fault.value, "failed_at": seen.at.isoformat()} if seen else {})
    return Check(False, seen.fault, {"failed_at": seen.at.isoformat()})
