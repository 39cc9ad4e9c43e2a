"""Waiting-room screens: IT makes one in the console for an area and gets a one-time code; the display box opens
the hub's enrolment page, types the code, and keeps the token it gets as a cookie. IT sees each screen, when it was
last connected, and can revoke it (its next request is refused). Like kiosks, the hub keeps only hashes."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.calling.models import CallingArea, DisplayScreen
from kiosk_hub.db.engine import as_utc
from kiosk_hub.fleet import audit
from kiosk_hub.kiosk_tokens import hash_token

CODE_LIFETIME = timedelta(hours=24)
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: typed off the console on a TV remote or keyboard
SEEN_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per screen


class ScreenError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Screen:
    id: str
    name: str
    area_id: str


def _code_hash(code: str) -> str:
    return hash_token(code.strip().upper().replace("-", "").replace(" ", ""))


def create_screen(session: Session, name: str, area_id: str, actor: str, now: datetime) -> str:
    """A screen for the area and its one-time code (shown once), like ABCD-EFGH."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise ScreenError("bad_name")
    if session.get(CallingArea, area_id) is None:
        raise ScreenError("unknown_area")
    if session.scalars(select(DisplayScreen.id).where(DisplayScreen.name == name)).first():
        raise ScreenError("name_taken")
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    session.add(DisplayScreen(id=str(uuid.uuid4()), name=name, area_id=area_id, code_hash=_code_hash(raw),
                              code_expires_at=now + CODE_LIFETIME, created_by=actor, created_at=now))  # fmt: skip
    audit.record(session, now, actor, "screen.created", name, area=area_id)
    return f"{raw[:4]}-{raw[4:]}"


def redeem(session: Session, code: str, now: datetime) -> tuple[Screen, str]:
    """The screen behind a one-time code and its new token; the code is spent."""
    row = session.scalars(select(DisplayScreen).where(DisplayScreen.code_hash == _code_hash(code))).first()
    if row is None or row.revoked_at is not None:
        raise ScreenError("unknown_code")
    if row.code_expires_at is None or as_utc(row.code_expires_at) < now:
        raise ScreenError("code_expired")
    token = "khs_" + secrets.token_urlsafe(32)
    row.token_hash, row.code_hash, row.code_expires_at = hash_token(token), None, None
    row.enrolled_at = row.last_seen_at = now
    audit.record(session, now, "screen", "screen.enrolled", row.name)
    return Screen(row.id, row.name, row.area_id), token


def revoke(session: Session, screen_id: str, actor: str, now: datetime) -> None:
    row = session.get(DisplayScreen, screen_id)
    if row is None:
        raise ScreenError("unknown_screen")
    row.revoked_at, row.token_hash, row.code_hash = now, None, None
    audit.record(session, now, actor, "screen.revoked", row.name)


def list_screens(session: Session) -> list[DisplayScreen]:
    return list(session.scalars(select(DisplayScreen).order_by(DisplayScreen.area_id, DisplayScreen.name)))


class ScreenGate:
    """Finds the screen behind a token (every request reads the row: a revoked screen is out at once) and notes
    when it was last seen."""

    def __init__(self, writer: sessionmaker[Session]) -> None:
        self._writer = writer

    def find(self, token: str | None, now: datetime) -> Screen | None:
        if not token or len(token) > 100:
            return None
        with self._writer() as session:
            row = session.scalars(
                select(DisplayScreen).where(
                    DisplayScreen.token_hash == hash_token(token), DisplayScreen.revoked_at.is_(None)
                )
            ).first()
            if row is None:
                return None
            if row.last_seen_at is None or as_utc(row.last_seen_at) < now - SEEN_EVERY:
                session.execute(update(DisplayScreen).where(DisplayScreen.id == row.id).values(last_seen_at=now))
                session.commit()
            return Screen(row.id, row.name, row.area_id)
