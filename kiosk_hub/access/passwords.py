"""Password hashing off the event loop: argon2 (~50–100 ms of CPU each) runs on a small pool of its own threads,
never on the loop and never while a database writer is held; a flood beyond what the pool can queue is refused at
once instead of growing a backlog.

argon2-cffi releases the GIL while it hashes; a hash made with the library's defaults (4 lanes) runs on 4 threads of
libargon2's own, which would share every core with the event loop. So the pool's threads run at a lower scheduling
priority (nice +10, inherited by the threads libargon2 starts): when the cores are busy, the event loop and the
database writer go first and sign-in waits."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kiosk_hub.access.roles import MIN_PASSWORD_LENGTH

T = TypeVar("T")
THREAD_PREFIX = "hub-argon2"
NICENESS = 10
_hasher = PasswordHasher()


class PasswordTooShortError(ValueError):
    def __init__(self) -> None:
        super().__init__(f"password_too_short: at least {MIN_PASSWORD_LENGTH} characters")


class HasherBusyError(RuntimeError):
    """More sign-ins are waiting for the hasher than it may queue: answer "try again" now."""


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShortError


def hash_now(password: str) -> str:
    """On the caller's thread: for the command line, never for a request."""
    check_password_rules(password)
    return _hasher.hash(password)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this when the user does not exist keeps "no such user" as slow as "wrong password".
    Made at the first use (on the pool), not at import: every hub start would pay ~0.1 s for it."""
    return _hasher.hash("not a password of anyone")


def _yield_to_the_loop() -> None:
    """On each pool thread as it starts: Linux keeps a niceness per thread; lowering one's own needs no privilege."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux, or a sandbox refusing it: hashing still works
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)


class PasswordHasherPool:
    """Hashes and verifies passwords on `workers` threads of its own; at most `max_waiting` calls in flight."""

    def __init__(self, workers: int = 1, max_waiting: int = 16) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix=THREAD_PREFIX, initializer=_yield_to_the_loop)
        self._max_waiting = max_waiting
        self._in_flight = 0
        # The names of the threads that hashed: a test asserts the event loop's thread is never among them.
        self.threads_used: set[str] = set()

    async def verify(self, stored: str | None, password: str) -> bool:
        """Whether `password` matches `stored`; None (an unknown or disabled user) costs the same and is False."""
        if stored is None:
            await self._run(lambda: _verify(_dummy_hash(), password))
            return False
        return await self._run(lambda: _verify(stored, password))

    async def hash(self, password: str) -> str:
        check_password_rules(password)
        return await self._run(lambda: _hasher.hash(password))

    @staticmethod
    def needs_rehash(stored: str) -> bool:
        return _hasher.check_needs_rehash(stored)

    async def _run(self, work: Callable[[], T]) -> T:
        if self._in_flight >= self._max_waiting:
            raise HasherBusyError
        self._in_flight += 1  # only touched on the event loop
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, self._recorded, work)
        finally:
            self._in_flight -= 1

    def _recorded(self, work: Callable[[], T]) -> T:
        self.threads_used.add(threading.current_thread().name)
        return work()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
