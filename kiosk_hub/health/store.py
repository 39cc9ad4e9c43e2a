"""Store failures told apart (disk full, read-only, unreachable, busy) and watched: the last one a write met stays the
hub's answer to "why" until a later commit succeeds.

A store failure is not a bug: the request was fine and will work once IT frees the disk or brings the database
back, so it is answered 503 with `Retry-After` (a kiosk retries, then issues from its offline lease), never 500.
"""

from __future__ import annotations

import errno
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class StoreFault(StrEnum):
    DISK_FULL = "disk_full"
    READ_ONLY = "store_read_only"
    UNREACHABLE = "store_unreachable"
    IO_ERROR = "store_io_error"
    BUSY = "store_busy"
    MIGRATIONS_BEHIND = "migrations_behind"
    MIGRATIONS_AHEAD = "migrations_ahead"


# SQLite's primary result codes (the low byte of an extended code).
_SQLITE = {
    13: StoreFault.DISK_FULL,  # SQLITE_FULL
    8: StoreFault.READ_ONLY,  # SQLITE_READONLY
    14: StoreFault.UNREACHABLE,  # SQLITE_CANTOPEN
    10: StoreFault.IO_ERROR,  # SQLITE_IOERR
    5: StoreFault.BUSY,  # SQLITE_BUSY
    6: StoreFault.BUSY,  # SQLITE_LOCKED
}
# PostgreSQL SQLSTATEs: exact ones first, then their class (first two characters).
_SQLSTATE = {
    "53100": StoreFault.DISK_FULL,
    "25006": StoreFault.READ_ONLY,  # a standby, or default_transaction_read_only
    "57P01": StoreFault.UNREACHABLE,  # the server is shutting down
    "57P02": StoreFault.UNREACHABLE,
    "57P03": StoreFault.UNREACHABLE,  # starting up or in recovery
    "58030": StoreFault.IO_ERROR,
    "40001": StoreFault.BUSY,  # serialization failure: try again
    "40P01": StoreFault.BUSY,  # deadlock victim: try again
}
_SQLSTATE_CLASS = {"08": StoreFault.UNREACHABLE, "53": StoreFault.BUSY, "57": StoreFault.UNREACHABLE}
_ERRNO = {
    errno.ENOSPC: StoreFault.DISK_FULL,
    errno.EDQUOT: StoreFault.DISK_FULL,
    errno.EROFS: StoreFault.READ_ONLY,
    errno.EIO: StoreFault.IO_ERROR,
}


def store_fault(exc: BaseException) -> StoreFault | None:
    """What kind of store failure `exc` is; None when it is something else (a bug, a constraint)."""
    if isinstance(exc, PoolTimeout):  # every pooled connection busy past the pool's wait
        return StoreFault.BUSY
    if isinstance(exc, DBAPIError):
        return _driver_fault(exc.orig) or (StoreFault.UNREACHABLE if exc.connection_invalidated else None)
    if isinstance(exc, OSError):
        return _ERRNO.get(exc.errno or 0)
    return None


def _driver_fault(orig: BaseException | None) -> StoreFault | None:
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        return _SQLITE.get(code & 0xFF) if isinstance(code, int) else None
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        return _SQLSTATE.get(sqlstate) or _SQLSTATE_CLASS.get(sqlstate[:2])
    # psycopg's OperationalError without a SQLSTATE: no server answered (refused, reset, name not resolved).
    if orig is not None and type(orig).__name__ == "OperationalError":
        return StoreFault.UNREACHABLE
    return None


@dataclass(frozen=True)
class SeenFault:
    fault: StoreFault
    at: datetime


class StoreWatch:
    """The last store failure a request or background task met, cleared by the next successful commit."""

    def __init__(self, engine: Engine, clock: Any) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._last: SeenFault | None = None
        event.listen(engine, "commit", self._committed)

    @property
    def last(self) -> SeenFault | None:
        return self._last

    def failed(self, fault: StoreFault) -> None:
        with self._lock:
            self._last = SeenFault(fault, self._clock())

    def _committed(self, conn: Any) -> None:
        # Read without the lock: a commit per request must not queue on it. A reader's commit proves nothing.
        if self._last is not None and conn.get_execution_options().get("hub_write"):
            with self._lock:
                self._last = None
