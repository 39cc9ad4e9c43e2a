"""Rotating the config-signing key: a new key becomes active, and the old one signs a statement that hands trust
on to it (`envelope.KeyChange`). Kiosks follow the chain of such statements from the key they pinned at enrolment,
so one that was offline during one rotation or several still accepts the new key when it comes back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.remote_config.envelope import KeyChange, timestamp
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.models import ACTIVE_KEY, ConfigKeyChange, ConfigSigningKey
from kiosk_hub.fleet.signing import ConfigKeys, SigningKeyUnavailableError


def rotate(session: Session, keys: ConfigKeys, actor: str, now: datetime) -> KeyChange:
    """Retire the active key for a new one, with the old key's signed statement; in the caller's transaction."""
    old = keys.active(session, for_update=True)  # PostgreSQL: a second rotation waits for this one
    retired = session.execute(
        update(ConfigSigningKey)
        .where(ConfigSigningKey.key_id == old.key_id, ConfigSigningKey.active == ACTIVE_KEY)
        .values(active=None, retired_at=now)
    )
    if retired.rowcount != 1:  # type: ignore[attr-defined]
        raise SigningKeyUnavailableError("another rotation retired this key first")
    new = keys.add(session, now, active=True)
    change = KeyChange(
        previous_key_id=old.key_id, key_id=new.key_id, public_key=new.public_b64, signed_at=timestamp(now)
    )
    change = change.model_copy(update={"signature": old.sign(change.signed_bytes())})
    session.add(
        ConfigKeyChange(
            previous_key_id=change.previous_key_id, key_id=change.key_id, public_b64=change.public_key,
            signed_at=change.signed_at, signature=change.signature, created_by=actor,
        )
    )  # fmt: skip
    audit.record(session, now, actor, "config_key.rotated", new.key_id, previous=old.key_id)
    return change


def key_changes(session: Session) -> list[KeyChange]:
    """Every key change, oldest first: what a kiosk needs to walk from any key it may hold to the active one."""
    rows = session.scalars(select(ConfigKeyChange).order_by(ConfigKeyChange.id))
    return [
        KeyChange(previous_key_id=r.previous_key_id, key_id=r.key_id, public_key=r.public_b64, signed_at=r.signed_at,
                  signature=r.signature)
        for r in rows
    ]  # fmt: skip
