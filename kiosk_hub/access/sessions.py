"""Console sessions with idle and absolute expiry, and their CSRF tokens.

A session cookie holds a random token; the hub keeps its SHA-256 and the session's CSRF token, which every form
posts back. Sessions live in the database, so any hub process behind a load balancer serves any user, and every
request reads the user's row: disabling a user or changing their role takes effect on their next request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk_hub.access.models import StaffAssignment
from kiosk_hub.access.roles import Role
from kiosk_hub.db.engine import as_utc
from kiosk_hub.fleet.models import ConsoleSession, ConsoleUser

_ROLES = frozenset(role.value for role in Role)
IDLE_LIFETIME = timedelta(minutes=30)
ABSOLUTE_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class ConsoleIdentity:
    """A signed-in console user, as every console request sees them."""

    username: str
    role: Role
    csrf_token: str
    may_see_names: bool = False
    # Staff: (department, room or None for the whole department) they serve.
    places: tuple[tuple[str, str | None], ...] = field(default=())

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def serves(self, department_id: str) -> bool:
        """Whether this user may call the department's numbers: its staff, or an admin."""
        return self.is_admin or (self.role is Role.STAFF and any(d == department_id for d, _ in self.places))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, username: str, now: datetime) -> str:
    """A new session for `username`; returns the cookie value (the hub stores only its hash)."""
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            token_hash=_digest(token),
            username=username,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + ABSOLUTE_LIFETIME,
            idle_until=now + IDLE_LIFETIME,
        )
    )
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))  # tidy expired ones
    return token


def identify(session: Session, token: str | None, now: datetime) -> ConsoleIdentity | None:
    """The user behind a session cookie, sliding its idle expiry; None for unknown or expired sessions."""
    if not token or len(token) > 100:
        return None
    row = session.get(ConsoleSession, _digest(token))
    if row is None:
        return None
    if as_utc(row.expires_at) <= now or as_utc(row.idle_until) <= now:
        session.delete(row)
        return None
    user = session.get(ConsoleUser, row.username)
    if user is None or user.disabled or user.role not in _ROLES:
        return None
    row.idle_until = min(now + IDLE_LIFETIME, as_utc(row.expires_at))
    places = session.execute(
        select(StaffAssignment.department_id, StaffAssignment.room_id).where(StaffAssignment.username == user.username)
    ).all()
    return ConsoleIdentity(
        user.username, Role(user.role), row.csrf_token, bool(user.may_see_names), tuple((d, r) for d, r in places)
    )


def close_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _digest(token)))


def end_sessions_of(session: Session, username: str) -> None:
    """Signs the user out everywhere (disabled, new password, new role)."""
    session.execute(delete(ConsoleSession).where(ConsoleSession.username == username))


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
