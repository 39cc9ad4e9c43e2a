"""The kiosk's offline store (one SQLite file): number leases, the encrypted journal, the last department list.

Taking a number and journaling the registration happen in one transaction, committed with a full fsync before the
ticket is handed to the printer: a kiosk killed after that replays the registration, a kiosk killed before it
never printed the number. `secure_delete` zeroes a replayed row's pages, and the rollback journal (not WAL) leaves
no copy behind, so nothing personal stays on disk once the hub has confirmed it (and it was only ever ciphertext).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk.offline.vault import Sealer, load_or_create_key

STORE_FILE = "offline.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS leases (
    department_id TEXT NOT NULL, lane TEXT NOT NULL, lease_id TEXT NOT NULL, day TEXT NOT NULL,
    first_number INTEGER NOT NULL, last_number INTEGER NOT NULL, next_number INTEGER NOT NULL,
    renew_after TEXT NOT NULL, PRIMARY KEY (department_id, lane));
CREATE TABLE IF NOT EXISTS journal (key TEXT PRIMARY KEY, nonce BLOB NOT NULL, sealed BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS departments (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);
"""


class LeaseExhaustedError(Exception):
    """No leased number left for this department lane today: the patient goes to the desk."""


@dataclass(frozen=True, slots=True)
class HeldLease:
    department_id: str
    lane: str
    lease_id: str
    day: date
    first_number: int
    last_number: int
    next_number: int
    renew_after: datetime

    @property
    def remaining(self) -> int:
        return self.last_number - self.next_number + 1


class OfflineStore:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._sealer = Sealer(load_or_create_key(data_dir))
        self._lock = threading.Lock()
        self._db = sqlite3.connect(data_dir / STORE_FILE, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=DELETE", "synchronous=FULL", "secure_delete=ON"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # --- leases --------------------------------------------------------------------------------------------

    def keep_lease(self, lease: HeldLease) -> None:
        """Hold this block for its department lane (a renewal replaces the old block; its rest is never used)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO leases VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    lease.department_id, lease.lane, lease.lease_id, lease.day.isoformat(), lease.first_number,
                    lease.last_number, lease.next_number, lease.renew_after.isoformat(),
                ),
            )  # fmt: skip

    def drop_leases(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM leases")

    def leases(self) -> list[HeldLease]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM leases ORDER BY department_id, lane").fetchall()
        return [
            HeldLease(r[0], r[1], r[2], date.fromisoformat(r[3]), r[4], r[5], r[6], datetime.fromisoformat(r[7]))
            for r in rows
        ]

    # --- the journal ---------------------------------------------------------------------------------------

    def journal_ticket(self, department_id: str, lane: str, day: date, key: str, registration: dict[str, Any]) -> int:
        """Take the next leased number and journal the registration with it, durably; the number printed."""
        return self.journal_ticket_from(department_id, lane, day, key, registration)[0]

    def journal_ticket_from(
        self, department_id: str, lane: str, day: date, key: str, registration: dict[str, Any]
    ) -> tuple[int, str]:
        """As `journal_ticket`, with the id of the lease block the number came from (for the ticket's QR)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "UPDATE leases SET next_number = next_number + 1 WHERE department_id = ? AND lane = ? "
                    "AND day = ? AND next_number <= last_number RETURNING next_number - 1, lease_id",
                    (department_id, lane, day.isoformat()),
                ).fetchone()
                if row is None:
                    raise LeaseExhaustedError(f"{department_id}/{lane}")
                number, lease_id = int(row[0]), str(row[1])
                plain = json.dumps({**registration, "number": number}, ensure_ascii=False).encode()
                nonce, sealed = self._sealer.seal(plain, key)
                self._db.execute("INSERT INTO journal VALUES (?, ?, ?)", (key, nonce, sealed))
                self._db.execute("COMMIT")  # synchronous=FULL: on disk before the ticket prints
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return number, lease_id

    def pending(self) -> list[tuple[str, dict[str, Any]]]:
        """Journaled registrations not yet confirmed by the hub, oldest number first per lane."""
        with self._lock:
            rows = self._db.execute("SELECT key, nonce, sealed FROM journal ORDER BY rowid").fetchall()
        return [(key, json.loads(self._sealer.open(nonce, sealed, key))) for key, nonce, sealed in rows]

    def forget(self, keys: list[str]) -> None:
        """Drop confirmed registrations (their pages are zeroed)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("DELETE FROM journal WHERE key = ?", [(k,) for k in keys])
            self._db.execute("COMMIT")

    def journal_size(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM journal").fetchone()[0])

    # --- the department list (no personal data) ------------------------------------------------------------

    def keep_departments(self, body: list[dict[str, Any]]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO departments VALUES (1, ?)", (json.dumps(body, ensure_ascii=False),)
            )

    def departments(self) -> list[dict[str, Any]]:
        with self._lock:
            row = self._db.execute("SELECT body FROM departments WHERE id = 1").fetchone()
        return list(json.loads(row[0])) if row else []
