"""Per-kiosk bearer tokens: a token is shown once at enrolment; the hub keeps only its SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.access.revocations import CredentialCache, RevocationWatch
from kiosk_hub.db.models import Kiosk


def new_token() -> str:
    return "kh_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # The token is 32 random bytes, so a fast hash is enough: nothing to brute-force, unlike a password.
    return hashlib.sha256(token.encode()).hexdigest()


class KioskGate:
    """Finds the kiosk behind a bearer token; a short cache keeps the database off the hot path, and the revocation
    watch empties it within a second of any hub process revoking a kiosk."""

    def __init__(self, reader: sessionmaker[Session], revocations: RevocationWatch) -> None:
        self._reader = reader
        self.tokens = CredentialCache(self._look_up, revocations)

    def _look_up(self, token: str) -> str | None:
        with self._reader() as session:
            return session.scalars(
                select(Kiosk.id).where(Kiosk.token_hash == hash_token(token), Kiosk.revoked.is_(False))
            ).first()

    def kiosk_id(self, token: str) -> str | None:
        """The kiosk behind a token (blocking: off the event loop), through the cache."""
        return self.tokens.find(token)
