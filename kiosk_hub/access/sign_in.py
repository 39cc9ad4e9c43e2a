"""A console sign-in, in the order that keeps the hub responsive: the throttles and the user's row are read, the
password is checked on the hasher's own threads (no database writer held), then one short write records the
outcome — a session, or the failure counted and audited (who, from which address, why; never the password)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.access import throttle
from kiosk_hub.access.models import SignInThrottle
from kiosk_hub.access.passwords import HasherBusyError, PasswordHasherPool
from kiosk_hub.access.sessions import open_session
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.models import ConsoleUser

T = TypeVar("T")
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SignedInNow:
    session_token: str
    role: str


@dataclass(frozen=True)
class SignInRefused:
    reason: str  # wrong_credentials | throttled | locked | busy
    retry_after_seconds: int = 0


SignInOutcome = SignedInNow | SignInRefused


@dataclass(frozen=True)
class _Attempt:
    username: str
    address: str
    at: datetime
    new_hash: str | None = None  # the password hashed again with the current argon2 parameters


@dataclass(frozen=True)
class _Seen:
    password_hash: str | None  # None: no such user, or disabled (checked against a dummy hash all the same)
    role: str
    refusal: throttle.Refusal | None


class SignInGate:
    def __init__(
        self,
        reader: sessionmaker[Session],
        writer: sessionmaker[Session],
        writes: Executor,
        hasher: PasswordHasherPool,
        clock: Clock,
    ) -> None:
        self._reader = reader
        self._writer = writer
        # The hub's writer threads: sign-in writes queue with every other write, each a short transaction.
        self._writes = writes
        self._hasher = hasher
        self._clock = clock
        # The throttling rules (a bench measures the hasher alone by loosening them).
        self.rules = {"account": throttle.ACCOUNT, "address": throttle.ADDRESS}

    async def attempt(self, username: str, password: str, address: str) -> SignInOutcome:
        now = self._clock()
        seen = await asyncio.to_thread(self._read, username, address, now)
        if seen.refusal is not None:
            reason = "locked" if seen.refusal.locked else "throttled"
            return SignInRefused(reason, seen.refusal.retry_after_seconds)
        try:
            matches = await self._hasher.verify(seen.password_hash, password)
        except HasherBusyError:  # nothing counted: the client tries again in a moment
            return SignInRefused("busy", 1)
        if not matches:
            await self._write(self._failed, _Attempt(username, address, now))
            return SignInRefused("wrong_credentials")
        new_hash = await self._hasher.hash(password) if self._hasher.needs_rehash(seen.password_hash or "") else None
        token = await self._write(self._succeeded, _Attempt(username, address, now, new_hash))
        return SignedInNow(token, seen.role)

    async def _write(self, work: Callable[[_Attempt], T], attempt: _Attempt) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._writes, work, attempt)

    def _read(self, username: str, address: str, now: datetime) -> _Seen:
        with self._reader() as session:
            user = session.get(ConsoleUser, username)
            refusals = [
                throttle.refusal(session.get(SignInThrottle, key), rule, now)
                for key, rule in self._keys(username, address)
            ]
        usable = user is not None and not user.disabled
        found = [r for r in refusals if r is not None]
        worst = max(found, key=lambda r: (r.locked, r.retry_after_seconds)) if found else None
        if not usable or user is None:
            return _Seen(None, "", worst)
        return _Seen(user.password_hash, user.role, worst)

    def _keys(self, username: str, address: str) -> list[tuple[str, throttle.ThrottleRule]]:
        return [
            (throttle.account_key(username), self.rules["account"]),
            (throttle.address_key(address), self.rules["address"]),
        ]

    def _failed(self, attempt: _Attempt) -> None:
        with self._writer() as session:
            locked = [
                key
                for key, rule in self._keys(attempt.username, attempt.address)
                if throttle.record_failure(session, key, rule, attempt.at)
            ]
            throttle.tidy(session, attempt.at)
            audit.record(session, attempt.at, attempt.username[:64], "user.login_failed", address=attempt.address)
            for key in locked:
                audit.record(session, attempt.at, "hub", "sign_in.locked", key)
            session.commit()

    def _succeeded(self, attempt: _Attempt) -> str:
        with self._writer() as session:
            if attempt.new_hash is not None:
                user = session.get(ConsoleUser, attempt.username)
                if user is not None:
                    user.password_hash = attempt.new_hash
            throttle.forget(session, throttle.account_key(attempt.username))
            token = open_session(session, attempt.username, attempt.at)
            audit.record(session, attempt.at, attempt.username, "user.login", address=attempt.address)
            session.commit()
        return token
