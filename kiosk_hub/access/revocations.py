"""Revocation that reaches every hub process within a second: a revoked credential is written as a row of
`access_revocations`; each process looks at the newest row id at most once a `interval` and, when it moved, drops
the credential caches that registered with it. One small indexed query a second per process, not one per request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.access.models import Revocation

CHECK_INTERVAL_SECONDS = 1.0
T = TypeVar("T")


def record_revocation(session: Session, kind: str, subject: str, at: datetime) -> None:
    """In the transaction that revokes: the other hub processes see it at their next check."""
    session.add(Revocation(kind=kind, subject=subject, at=at))


class RevocationWatch:
    """Tells this process's credential caches when any process revoked anything."""

    def __init__(self, reader: sessionmaker[Session], interval: float = CHECK_INTERVAL_SECONDS) -> None:
        self._reader = reader
        self._interval = interval
        self._seen: int | None = None
        self._checked_at = float("-inf")
        self._forget: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        # Moves each time the caches are emptied: a credential read from the database before a revocation was seen
        # is not cached after it (the reader compares the generation before and after its query).
        self.generation = 0

    def on_revocation(self, forget: Callable[[], None]) -> None:
        """`forget` empties a cache of credentials; it is called when a revocation is seen."""
        self._forget.append(forget)

    def fresh(self) -> bool:
        """Whether the last check is recent enough for a cached credential to be trusted (no I/O)."""
        return time.monotonic() - self._checked_at < self._interval

    def check(self) -> None:
        """Look for new revocations (blocking: run it off the event loop); empties the caches if there are."""
        with self._reader() as session:
            newest = session.scalar(select(func.max(Revocation.id))) or 0
        with self._lock:
            moved = self._seen is not None and newest != self._seen
            self._seen, self._checked_at = newest, time.monotonic()
        if moved:
            self.generation += 1
            for forget in self._forget:
                forget()


class CredentialCache(Generic[T]):
    """Bearer token → what it stands for (a kiosk id, an integration), looked up in the database on a miss and kept
    for a while; emptied whenever the watch sees a revocation, and bypassed while the watch is not fresh."""

    def __init__(self, look_up: Callable[[str], T | None], revocations: RevocationWatch, seconds: float = 30.0) -> None:
        self._look_up = look_up
        self._revocations = revocations
        self._seconds = seconds
        # By the token itself, in memory only: a dict lookup is cheaper than a SHA-256 per request.
        self._seen: dict[str, tuple[T, float]] = {}
        revocations.on_revocation(self._seen.clear)

    def cached(self, token: str) -> T | None:
        """The hot path (no hash, no database): None sends the caller to `find`, off the event loop."""
        if not self._revocations.fresh():
            return None
        hit = self._seen.get(token)
        return hit[0] if hit and hit[1] > time.monotonic() else None

    def find(self, token: str) -> T | None:
        """Blocking: checks for revocations if due, then the cache, then the database."""
        if not self._revocations.fresh():
            self._revocations.check()
        hit = self.cached(token)
        if hit is not None:
            return hit
        now, generation = time.monotonic(), self._revocations.generation
        found = self._look_up(token)
        if found is not None and generation == self._revocations.generation:
            self._seen[token] = (found, now + self._seconds)
        return found
