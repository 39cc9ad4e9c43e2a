"""The hub's release-signing key: a role of its own (TUF's separation), never the configuration key. Its private
half is sealed with the hub's key file like the configuration keys (`kiosk_hub/fleet/key_file.py`); kiosks pin its
public half at enrolment beside the configuration key, so a leaked configuration key cannot install software and
a leaked release key cannot change a configuration."""

from __future__ import annotations

import base64
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.remote_config.envelope import key_id_of
from kiosk_hub.fleet.models import ACTIVE_KEY
from kiosk_hub.fleet.signing import ConfigKeys, HubSigningKey
from kiosk_hub.releases.models import ReleaseSigningKey


def _label(key_id: str) -> str:
    return f"release key {key_id}"


def release_key(session: Session, keys: ConfigKeys, now: datetime) -> HubSigningKey:
    """The active release key (the same kind of Ed25519 key as the configuration's, another role), made and
    sealed with the key file the first time it is needed."""
    row = session.scalars(select(ReleaseSigningKey).where(ReleaseSigningKey.active == ACTIVE_KEY)).first()
    if row is None:
        try:
            with session.begin_nested():
                row = _new_key(session, keys, now)
        except IntegrityError:  # another hub process made it at the same moment: use theirs
            row = session.scalars(select(ReleaseSigningKey).where(ReleaseSigningKey.active == ACTIVE_KEY)).one()
    raw = keys.open_value(session, _label(row.key_id), row.private_sealed)
    return HubSigningKey(Ed25519PrivateKey.from_private_bytes(raw), row.key_id, row.public_b64)


def _new_key(session: Session, keys: ConfigKeys, now: datetime) -> ReleaseSigningKey:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    key_id = key_id_of(public)
    row = ReleaseSigningKey(
        key_id=key_id, public_b64=base64.b64encode(public).decode(), active=ACTIVE_KEY, created_at=now,
        private_sealed=keys.seal_value(session, _label(key_id), private.private_bytes_raw()),
        sealed_by=keys.sealing_key_id(session),
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row
