"""Enrolment: IT creates a one-time code; a new kiosk trades it for its own bearer token; kiosks can be revoked."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk_hub.access.revocations import record_revocation
from kiosk_hub.db.engine import as_utc
from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.models import EnrolmentCode, FleetKiosk, KioskGroup
from kiosk_hub.fleet.rollout import current_rollout, desired_under
from kiosk_hub.fleet.signing import ConfigKeys
from kiosk_hub.kiosk_tokens import hash_token, new_token

CODE_LIFETIME = timedelta(hours=24)
DEFAULT_GROUP = "default"
# No 0/O, 1/I/L: the code is read off a screen and typed on a kiosk's touch keyboard.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class EnrolmentError(ValueError):
    """Why a code was not accepted: `code` is stable (unknown_code, code_used, code_expired, name_taken)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def default_group(session: Session, now: datetime) -> KioskGroup:
    group = session.scalars(select(KioskGroup).where(KioskGroup.name == DEFAULT_GROUP)).first()
    if group is None:
        group = KioskGroup(id=str(uuid.uuid4()), name=DEFAULT_GROUP, created_at=now)
        session.add(group)
        session.flush()
    return group


def create_code(session: Session, actor: str, now: datetime, group_id: str | None = None) -> str:
    """A new one-time code, shown once (the hub keeps its hash), like XXXX-XXXX-XXXX."""
    group = session.get(KioskGroup, group_id) if group_id else default_group(session, now)
    if group is None:
        raise EnrolmentError("unknown_group")
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    session.add(
        EnrolmentCode(
            code_hash=_hash(raw), group_id=group.id, created_by=actor, created_at=now, expires_at=now + CODE_LIFETIME
        )
    )
    audit.record(session, now, actor, "enrolment.code_created", group.name)
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@dataclass(frozen=True)
class Enrolled:
    kiosk_id: str
    token: str
    config_public_key: str
    config_key_id: str
    group_id: str
    config_version: int  # what a new kiosk of its group is served now (0: nothing yet)


def redeem(session: Session, keys: ConfigKeys, code: str, name: str, now: datetime) -> Enrolled:
    """Create the kiosk for a valid unused code; the code is spent in the same transaction. The answer carries
    the key the kiosk pins and the version its group runs (the oldest it will ever accept)."""
    row = session.get(EnrolmentCode, _hash(code))
    if row is None:
        raise EnrolmentError("unknown_code")
    if row.used_at is not None:
        raise EnrolmentError("code_used")
    if as_utc(row.expires_at) < now:
        raise EnrolmentError("code_expired")
    kiosk_id = str(uuid.uuid4())
    # Spend the code first with a guarded UPDATE: two kiosks racing with one code cannot both win.
    spent = session.execute(
        update(EnrolmentCode)
        .where(EnrolmentCode.code_hash == row.code_hash, EnrolmentCode.used_at.is_(None))
        .values(used_at=now, kiosk_id=kiosk_id)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise EnrolmentError("code_used")
    _free_name_of_revoked(session, name)
    token = _add(session, kiosk_id, name, row.group_id, now)
    key = keys.prepare(session, now)
    version = desired_under(current_rollout(session, row.group_id), canary=False, config_version=0) or 0
    return Enrolled(kiosk_id, token, key.public_b64, key.key_id, row.group_id, version)


def add_kiosk(session: Session, name: str, now: datetime, group_id: str | None = None) -> tuple[str, str]:
    """A fleet kiosk made without a code (the kiosk's own embedded demo hub, tests): its id and its token."""
    kiosk_id = str(uuid.uuid4())
    return kiosk_id, _add(session, kiosk_id, name, group_id or default_group(session, now).id, now)


def _add(session: Session, kiosk_id: str, name: str, group_id: str, now: datetime) -> str:
    """The kiosk's hub record (its token's hash) and its fleet record: every kiosk is in the fleet."""
    token = new_token()
    try:
        with session.begin_nested():
            session.add(Kiosk(id=kiosk_id, name=name, token_hash=hash_token(token), created_at=now))
            session.flush()
    except IntegrityError as exc:
        raise EnrolmentError("name_taken") from exc
    session.add(FleetKiosk(kiosk_id=kiosk_id, group_id=group_id, enrolled_at=now))
    audit.record(session, now, f"kiosk:{kiosk_id}", "kiosk.enrolled", name)
    return token


def _free_name_of_revoked(session: Session, name: str) -> None:
    """A kiosk enrolled again under its name after it was revoked (`kiosk enrol --code`): the revoked record keeps
    its history under the name with its id appended; a name an active kiosk holds stays taken."""
    holder = session.scalars(select(Kiosk).where(Kiosk.name == name, Kiosk.revoked.is_(True))).first()
    if holder is not None:
        holder.name = f"{name}~{holder.id[:8]}"
        session.flush()


def revoke(session: Session, kiosk_id: str, actor: str, now: datetime) -> None:
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise EnrolmentError("unknown_kiosk")
    kiosk.revoked = True
    record_revocation(session, "kiosk", kiosk_id, now)  # every hub process drops the token within a second
    audit.record(session, now, actor, "kiosk.revoked", kiosk.name)
