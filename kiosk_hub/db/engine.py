"""Engine and session set-up: SQLite in WAL mode with write transactions taken up front, or PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.db.files import private_file, sqlite_file

WRITE = {"hub_write": True}


def make_engine(url: str) -> Engine:
    """An engine for the hub's store; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE for writes."""
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        database = sqlite_file(url)
        if database is not None:
            private_file(database)
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False, "isolation_level": None},
            **({} if in_memory else {"pool_size": 20, "max_overflow": 20}),
        )
        _sqlite_tuning(engine, None if in_memory else engine.url.database)
        return engine
    return create_engine(url, pool_size=20, max_overflow=40, pool_pre_ping=True)


def _sqlite_tuning(engine: Engine, database: str | None) -> None:
    # SQLite's busy handler sleeps in steps of up to 100 ms, so writers never rely on it: those of this process
    # queue on a thread lock, those of other hub processes on the same file on an flock beside the database, which
    # wakes the next writer the moment the last one commits (busy_timeout stays as the last resort).
    write_lock = threading.Lock()
    across_processes = _ProcessLock(database + "-writer.lock") if database else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is fsynced at every commit, so a ticket a kiosk printed survives a power cut (NORMAL
        # could lose the last commits and hand their numbers out again). Group commit shares that fsync.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads then writes can fail with SQLITE_BUSY without waiting; taking the
        # write lock at BEGIN makes concurrent writers queue on busy_timeout instead.
        if conn.get_execution_options().get("hub_write"):
            write_lock.acquire()
            conn.info["hub_write_lock"] = True
            try:
                if across_processes is not None:
                    across_processes.acquire()
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _release(conn)
                raise
        else:
            conn.exec_driver_sql("BEGIN")

    def _release(conn: Any) -> None:
        if conn.info.pop("hub_write_lock", False):
            if across_processes is not None:
                across_processes.release()
            write_lock.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


class _ProcessLock:
    """An exclusive flock on a file beside the database: one hub process writes at a time. Opened per transaction
    (two system calls) so an engine leaves no descriptor behind; a process that dies lets go with its descriptor."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # blocks without the GIL
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the lock


def session_factories(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    """(reader, writer) session factories; the writer's transactions lock SQLite for writing at BEGIN."""
    reader = sessionmaker(engine, expire_on_commit=False)
    writer = sessionmaker(engine.execution_options(**WRITE), expire_on_commit=False)
    return reader, writer


def as_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns: they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def insert_or_skip(session: Session, table: Table, rows: list[dict[str, Any]], keys: list[str]) -> None:
    """Inserts the rows, skipping those whose `keys` exist already (`ON CONFLICT DO NOTHING`, both stores)."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(table).values(rows).on_conflict_do_nothing(index_elements=keys))
