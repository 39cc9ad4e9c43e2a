"""Per-kiosk bearer tokens: a token is shown once at enrolment; the hub keeps only its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
import time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.db.models import Kiosk

# The token is 32 random bytes, so a fast hash is enough: nothing to brute-force, unlike a password.
CACHE_SECONDS = 30.0


def new_token() -> str:
    return "kh_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class KioskGate:
    """Finds the kiosk behind a bearer token; a short cache keeps the database off the hot path."""

    def __init__(self, reader: sessionmaker[Session]) -> None:
        self._reader = reader
        # By the token itself, in memory only: a dict lookup is cheaper than a SHA-256 per request.
        self._seen: dict[str, tuple[str, float]] = {}

    def cached(self, token: str) -> str | None:
        """The kiosk id if this token was seen recently (no hash, no database call: the hot path)."""
        hit = self._seen.get(token)
        return hit[0] if hit and hit[1] > time.monotonic() else None

    def kiosk_id(self, token: str) -> str | None:
        cached = self.cached(token)
        if cached is not None:
            return cached
        digest, now = hash_token(token), time.monotonic()
        with self._reader() as session:
            kiosk = session.scalars(select(Kiosk).where(Kiosk.token_hash == digest, Kiosk.revoked.is_(False))).first()
        if kiosk is None:
            return None
        self._seen[token] = (kiosk.id, now + CACHE_SECONDS)
        return kiosk.id
