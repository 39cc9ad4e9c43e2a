"""The hub's Ed25519 configuration-signing key (one, shared by every hub instance through the database)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.remote_config.schema import canonical_bytes
from kiosk_hub.fleet.models import SigningKey

SLOT = "main"


@dataclass(frozen=True)
class HubSigningKey:
    private: Ed25519PrivateKey
    key_id: str
    public_b64: str

    def sign(self, version: int, config: dict[str, object]) -> str:
        return base64.b64encode(self.private.sign(canonical_bytes(version, config))).decode("ascii")


def _loaded(row: SigningKey) -> HubSigningKey:
    private = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
    assert isinstance(private, Ed25519PrivateKey)
    return HubSigningKey(private, row.key_id, row.public_b64)


def signing_key(session: Session, now: datetime) -> HubSigningKey:
    """The hub's key, created on first use. The private key sits in the hub's database: protect its backups."""
    row = session.get(SigningKey, SLOT)
    if row is not None:
        return _loaded(row)
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    row = SigningKey(
        slot=SLOT,
        key_id=hashlib.sha256(raw).hexdigest()[:16],
        private_pem=pem,
        public_b64=base64.b64encode(raw).decode(),
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another hub instance created it first: use theirs
        existing = session.get(SigningKey, SLOT)
        assert existing is not None
        return _loaded(existing)
    return _loaded(row)
