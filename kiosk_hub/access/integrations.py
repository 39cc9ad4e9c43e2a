"""Integration credentials: named bearer tokens for the systems beside the hub (the HIS calling numbers, reading
the event feed), each with its scopes. Shown once when created; the hub keeps the SHA-256 (32 random bytes need no
slow hash). Revoking one reaches every hub process within a second (`revocations.py`)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.access.models import IntegrationCredential
from kiosk_hub.access.revocations import CredentialCache, RevocationWatch, record_revocation
from kiosk_hub.access.roles import Scope
from kiosk_hub.fleet import audit
from kiosk_hub.kiosk_tokens import hash_token

TOKEN_PREFIX = "khi_"  # noqa: S105 - a prefix that tells integration tokens from kiosk ones, not a secret
NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"


class IntegrationError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Integration:
    """The system behind a request: its credential's name and scopes."""

    name: str
    scopes: frozenset[Scope]


def create_credential(session: Session, name: str, scopes: set[Scope], actor: str, now: datetime) -> tuple[str, str]:
    """(id, token): the token is shown once."""
    if not scopes:
        raise IntegrationError("scope_required")
    if session.scalars(select(IntegrationCredential).where(IntegrationCredential.name == name)).first():
        raise IntegrationError("name_taken")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    credential_id = str(uuid.uuid4())
    session.add(
        IntegrationCredential(
            id=credential_id,
            name=name,
            token_hash=hash_token(token),
            scopes=" ".join(sorted(scope.value for scope in scopes)),
            created_by=actor,
            created_at=now,
        )
    )
    audit.record(session, now, actor, "integration.created", name, scopes=sorted(s.value for s in scopes))
    return credential_id, token


def revoke_credential(session: Session, name: str, actor: str, now: datetime) -> None:
    row = session.scalars(select(IntegrationCredential).where(IntegrationCredential.name == name)).first()
    if row is None:
        raise IntegrationError("unknown_integration")
    if row.revoked_at is None:
        row.revoked_at = now
        record_revocation(session, "integration", row.id, now)
        audit.record(session, now, actor, "integration.revoked", name)


def list_credentials(session: Session) -> list[IntegrationCredential]:
    return list(session.scalars(select(IntegrationCredential).order_by(IntegrationCredential.name)))


def scopes_of(row: IntegrationCredential) -> frozenset[Scope]:
    return frozenset(Scope(s) for s in row.scopes.split() if s in Scope.__members__.values())


class IntegrationGate:
    """Finds the integration behind a bearer token, with the same short cache and revocation watch as kiosks."""

    def __init__(self, reader: sessionmaker[Session], revocations: RevocationWatch) -> None:
        self._reader = reader
        self.tokens = CredentialCache(self._look_up, revocations)

    def _look_up(self, token: str) -> Integration | None:
        with self._reader() as session:
            row = session.scalars(
                select(IntegrationCredential).where(
                    IntegrationCredential.token_hash == hash_token(token), IntegrationCredential.revoked_at.is_(None)
                )
            ).first()
            return Integration(row.name, scopes_of(row)) if row is not None else None
