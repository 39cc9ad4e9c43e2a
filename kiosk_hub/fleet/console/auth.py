"""Console users (argon2 password hashes, roles admin / viewer), sessions with idle and absolute expiry, CSRF tokens.

A session cookie holds a random token; the hub keeps its SHA-256 and the session's CSRF token, which every form
posts back. Sessions live in the database, so any hub instance behind a load balancer serves any user.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete
from sqlalchemy.orm import Session

from kiosk_hub.db.engine import as_utc
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.models import ConsoleSession, ConsoleUser, Role

IDLE_LIFETIME = timedelta(minutes=30)
ABSOLUTE_LIFETIME = timedelta(hours=12)
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this when the user does not exist keeps "no such user" as slow as "wrong password".
    Made at the first sign-in, not at import: an argon2 hash takes ~0.1 s, which every hub start (and the kiosk
    demo's embedded hub) paid."""
    return _hasher.hash("not a password of anyone")


class UserError(ValueError):
    """A console user that cannot be created (taken name, short password, unknown role)."""


@dataclass(frozen=True)
class ConsoleIdentity:
    username: str
    role: Role
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def add_user(session: Session, username: str, password: str, role: Role, actor: str, now: datetime) -> None:
    if len(password) < 10:
        raise UserError("password_too_short")
    if session.get(ConsoleUser, username) is not None:
        raise UserError("username_taken")
    session.add(ConsoleUser(username=username, password_hash=_hasher.hash(password), role=role, created_at=now))
    audit.record(session, now, actor, "user.added", username, role=role.value)


def check_password(session: Session, username: str, password: str) -> ConsoleUser | None:
    user = session.get(ConsoleUser, username)
    if user is None or user.disabled:
        _verify(_dummy_hash(), password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: ConsoleUser, now: datetime) -> str:
    """A new session for `user`; returns the cookie value (the hub stores only its hash)."""
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            token_hash=_digest(token),
            username=user.username,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + ABSOLUTE_LIFETIME,
            idle_until=now + IDLE_LIFETIME,
        )
    )
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))  # tidy expired ones
    audit.record(session, now, user.username, "user.login")
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
    if user is None or user.disabled:
        return None
    row.idle_until = min(now + IDLE_LIFETIME, as_utc(row.expires_at))
    return ConsoleIdentity(user.username, Role(user.role), row.csrf_token)


def close_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _digest(token)))


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
