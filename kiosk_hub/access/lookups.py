"""Patient lookups by kiosks: a per-kiosk allowance (a small burst, then a steady refill) shared by every hub
process through the database, and the access log — kiosk, time, kind of identifier and a keyed hash of it, never
the number — that lets IT answer "which kiosk looked up this patient, when" (Decree 13/2023: the controller knows
who processed whose data).

The hash is HMAC-SHA256 under a key kept in a file outside the database (`keys.py`): a copy of the database alone
cannot be turned back into ID numbers by hashing every possible number."""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from kiosk_hub.access.models import LookupAllowance, PatientLookupEntry
from kiosk_hub.db.engine import as_utc, insert_or_skip

ALLOWANCES = cast(Table, LookupAllowance.__table__)


@dataclass(frozen=True)
class LookupLimit:
    burst: int = 5  # lookups a kiosk may make at once (a patient who mistyped, the next one in line)
    refill_seconds: float = 12.0  # one more every this many seconds: 5 a minute, a patient every 30 s needs 2


class LookupRefusedError(Exception):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"lookup allowance spent; retry after {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


def identifier_hash(key: bytes, kind: str, value: str) -> str:
    """The log's keyed hash of an identifier, normalised as the lookup itself reads it."""
    return hmac.new(key, f"{kind}:{value.strip().upper()}".encode(), hashlib.sha256).hexdigest()


class LookupGuard:
    """Takes from a kiosk's allowance and writes the access log entry in one transaction."""

    def __init__(self, key: Callable[[], bytes], limit: LookupLimit) -> None:
        self._key_source = key
        self._key: bytes | None = None
        self.limit = limit
        # Kiosks refused lately, and until when: refused again without a database write. Each process keeps its
        # own; the allowance itself lives in the database, so the limit holds across processes.
        self._refused_until: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def hash_of(self, kind: str, value: str) -> str:
        if self._key is None:
            self._key = self._key_source()  # two threads may both read the file: the same key either way
        return identifier_hash(self._key, kind, value)

    def check_recent_refusal(self, kiosk_id: str, now: datetime) -> None:
        """No I/O: raises while this process recently refused the kiosk."""
        until = self._refused_until.get(kiosk_id)
        if until is not None:
            left = (until - now).total_seconds()
            if left > 0:
                raise LookupRefusedError(_whole_seconds(left))
            with self._lock:
                self._refused_until.pop(kiosk_id, None)

    def admit_and_log(self, session: Session, kiosk_id: str, kind: str, value: str, found: bool, now: datetime) -> None:
        """Spends one lookup of the kiosk's allowance and logs it; raises LookupRefusedError when none is left (the
        caller rolls back and answers 429 without the patient)."""
        wait = self._take(session, kiosk_id, now)
        if wait is not None:
            with self._lock:
                self._refused_until[kiosk_id] = now + timedelta(seconds=wait)
            raise LookupRefusedError(_whole_seconds(wait))
        session.add(
            PatientLookupEntry(
                kiosk_id=kiosk_id, at=now, kind=kind, identifier_hash=self.hash_of(kind, value), found=found
            )
        )

    def _take(self, session: Session, kiosk_id: str, now: datetime) -> float | None:
        """None when a lookup was taken from the bucket; else the seconds until one is there."""
        # A kiosk's first lookup creates its full bucket; two hub processes doing that at once both succeed.
        full = {"kiosk_id": kiosk_id, "tokens": float(self.limit.burst), "updated_at": now}
        insert_or_skip(session, ALLOWANCES, [full], ["kiosk_id"])
        query = select(LookupAllowance).where(LookupAllowance.kiosk_id == kiosk_id)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()  # two hub processes serving one kiosk queue here
        row = session.scalars(query).one()
        elapsed = max(0.0, (now - as_utc(row.updated_at)).total_seconds())
        tokens = min(float(self.limit.burst), row.tokens + elapsed / self.limit.refill_seconds)
        row.updated_at = now
        if tokens < 1.0:
            row.tokens = tokens
            return (1.0 - tokens) * self.limit.refill_seconds
        row.tokens = tokens - 1.0
        return None


def _whole_seconds(seconds: float) -> int:
    """Retry-After in whole seconds, rounded up: a kiosk that waits that long finds a lookup there."""
    return max(1, math.ceil(seconds))
