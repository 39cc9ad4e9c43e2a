"""The call board of one hub process: follows the call log and wakes every waiting-room screen and phone page
connected to this process.

Calls made here wake it at once (`nudge`, from the writer thread); calls made by other hub processes on the same
database are found by reading the log every `poll_seconds` (one indexed query per process, whatever the number of
screens). What screens show is read once per change and shared (`shared`), so a hundred screens of one area cost
one query, not a hundred.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.calling.models import CallLogEntry

log = logging.getLogger("kiosk_hub.calling")
T = TypeVar("T")
BATCH = 500


@dataclass(frozen=True)
class LoggedCall:
    """A row of the call log as the screens and phones receive it (no personal data)."""

    id: int
    kind: str
    department_id: str
    room_id: str | None
    ticket_id: str | None
    display_number: str | None
    detail: str


@dataclass(eq=False)
class Listener:
    """One connected screen or phone page: the departments it follows (a phone's changes when its ticket is
    transferred), and its inbox."""

    departments: frozenset[str]
    inbox: asyncio.Queue[LoggedCall] = field(default_factory=lambda: asyncio.Queue(maxsize=256))

    def offer(self, call: LoggedCall) -> None:
        if call.department_id in self.departments or call.detail in self.departments:
            with contextlib.suppress(asyncio.QueueFull):  # a stalled client: it re-reads the whole state on reconnect
                self.inbox.put_nowait(call)


class CallBoard:
    def __init__(self, reader: sessionmaker[Session], poll_seconds: float) -> None:
        self._reader = reader
        self._poll_seconds = poll_seconds
        self._listeners: set[Listener] = set()
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.last_id = 0
        self._shared: dict[tuple[str, int], asyncio.Future[object]] = {}

    @property
    def connected(self) -> int:
        return len(self._listeners)

    def nudge(self) -> None:
        """A call committed on this process (any thread): look at the log now."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    def listen(self, departments: frozenset[str]) -> Listener:
        listener = Listener(departments)
        self._listeners.add(listener)
        return listener

    def leave(self, listener: Listener) -> None:
        self._listeners.discard(listener)

    async def shared(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` (a store read, off the loop) once per key and log position, for every listener asking."""
        slot = (key, self.last_id)
        future = self._shared.get(slot)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._shared[slot] = future
            try:
                future.set_result(await asyncio.to_thread(compute))
            except Exception as exc:
                future.set_exception(exc)
                del self._shared[slot]
                raise
            finally:
                for old in [s for s in self._shared if s[1] < self.last_id]:
                    del self._shared[old]
        return cast(T, await future)

    async def run(self, on_calls: Callable[[list[LoggedCall]], Awaitable[None]] | None = None) -> None:
        """Follow the log until cancelled; `on_calls` (the voice's pre-rendering) hears of each batch."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        while True:  # a store away at start: wait for it (screens show their stale state meanwhile)
            try:
                self.last_id = await asyncio.to_thread(self._newest)
                break
            except Exception:
                log.exception("reading the call log failed")
                await asyncio.sleep(self._poll_seconds * 4)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            self._wake.clear()
            try:
                calls = await asyncio.to_thread(self._read_after, self.last_id)
            except Exception:  # the store is away: screens show their stale state; try again next round
                log.exception("reading the call log failed")
                continue
            if not calls:
                continue
            self.last_id = calls[-1].id
            for listener in list(self._listeners):
                for call in calls:
                    listener.offer(call)
            if on_calls is not None:
                await on_calls(calls)

    def _newest(self) -> int:
        with self._reader() as session:
            return int(session.scalar(select(func.max(CallLogEntry.id))) or 0)

    def _read_after(self, last_id: int) -> list[LoggedCall]:
        with self._reader() as session:
            rows = session.scalars(
                select(CallLogEntry).where(CallLogEntry.id > last_id).order_by(CallLogEntry.id).limit(BATCH)
            )
            return [
                LoggedCall(r.id, r.kind, r.department_id, r.room_id, r.ticket_id, r.display_number, r.detail)
                for r in rows
            ]
