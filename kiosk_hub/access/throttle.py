"""Sign-in throttling, per account and per client address, kept in the database so every hub process applies it.

After a few free failures each further attempt must wait twice as long as the one before (1 s, 2 s, 4 s … up to
a minute) since the last failure; after more failures the account or address is locked for a while, and an admin
can lift the lock earlier. An attempt inside the wait or the lock is refused before the password is looked at, so
even the right password does not get through (guessing stops paying) and a flood costs no hashing. A quiet window
forgets the failures; a successful sign-in forgets the account's (never the address's: one good account must not
reset the count of an address guessing others)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_
from sqlalchemy.orm import Session

from kiosk_hub.access.models import SignInThrottle
from kiosk_hub.db.engine import as_utc


@dataclass(frozen=True)
class ThrottleRule:
    free_failures: int
    lock_after: int
    lock_for: timedelta
    max_delay: timedelta = timedelta(seconds=60)
    window: timedelta = timedelta(minutes=15)  # failures older than this (and no lock) are forgotten

    def delay(self, failures: int) -> timedelta:
        if failures <= self.free_failures:
            return timedelta(0)
        return min(timedelta(seconds=2 ** (failures - self.free_failures - 1)), self.max_delay)


ACCOUNT = ThrottleRule(free_failures=3, lock_after=10, lock_for=timedelta(minutes=15))
# An address may be an office behind one NAT: more room before it waits, the same lock once it is clearly guessing.
ADDRESS = ThrottleRule(free_failures=10, lock_after=30, lock_for=timedelta(minutes=15))


def account_key(username: str) -> str:
    return "user:" + username[:64]


def address_key(address: str) -> str:
    return "addr:" + address[:100]


@dataclass(frozen=True)
class Refusal:
    locked: bool  # locked (an admin may lift it) rather than waiting out a delay
    retry_after_seconds: int


def refusal(row: SignInThrottle | None, rule: ThrottleRule, now: datetime) -> Refusal | None:
    """Why an attempt may not be checked now, or None."""
    if row is None:
        return None
    if row.locked_until is not None and as_utc(row.locked_until) > now:
        return Refusal(True, _seconds(as_utc(row.locked_until) - now))
    last = as_utc(row.last_failure_at)
    if now - last > rule.window:
        return None
    allowed_at = last + rule.delay(row.failures)
    return Refusal(False, _seconds(allowed_at - now)) if allowed_at > now else None


def _seconds(span: timedelta) -> int:
    return max(1, int(span.total_seconds() + 0.999))


def record_failure(session: Session, key: str, rule: ThrottleRule, now: datetime) -> bool:
    """Counts a failed attempt; True when it locked the key now."""
    row = session.get(SignInThrottle, key)
    if row is None or (now - as_utc(row.last_failure_at) > rule.window and not _locked(row, now)):
        if row is not None:
            session.delete(row)
            session.flush()
        row = SignInThrottle(key=key, failures=0, last_failure_at=now)
        session.add(row)
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= rule.lock_after and not _locked(row, now):
        row.locked_until = now + rule.lock_for
        return True
    return False


def _locked(row: SignInThrottle, now: datetime) -> bool:
    return row.locked_until is not None and as_utc(row.locked_until) > now


def forget(session: Session, key: str) -> None:
    """A successful sign-in, or an admin lifting a lock."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == key))


def tidy(session: Session, now: datetime) -> None:
    """Drops rows whose failures are forgotten and whose lock is over (guessed usernames would pile up)."""
    stale = now - max(ACCOUNT.window, ADDRESS.window)
    session.execute(
        delete(SignInThrottle).where(
            and_(
                SignInThrottle.last_failure_at < stale,
                or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < now),
            )
        )
    )
