"""The heartbeat intake's hot path: a cached token → kiosk lookup and a group-commit buffer.

Heartbeats wait in memory only while the batch before them is being written; one writer then stores all that
arrived in ONE transaction (`intake_batch.write_batch`), and each caller is answered only after its batch
committed — so a 200 means the heartbeat is in the database (no loss), and nothing waits for a timer: under low
load a batch is one heartbeat, under high load batches grow and the per-heartbeat cost falls.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from kiosk.remote_config.schema import Heartbeat, HeartbeatReply
from kiosk_hub import errors
from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet.intake_batch import MAX_BATCH, History, Outcome, write_batch
from kiosk_hub.hub import Hub
from kiosk_hub.kiosk_tokens import hash_token

TOKEN_CACHE_SIZE = 100_000


class KioskTokens:
    """Token digest → kiosk id, kept without expiry: a token never moves to another kiosk, and revocation is checked
    inside each heartbeat's batch (the kiosk's row is read there anyway), so a revoked kiosk is refused at once."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._known: OrderedDict[str, str] = OrderedDict()
        self._loaded = False

    async def kiosk_of(self, authorization: str | None) -> str:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token or len(token) > 200:
            raise errors.unauthorized()
        digest = hash_token(token)
        if not self._loaded:
            # One query for the whole fleet at the first heartbeat after a start: 10,000 kiosks coming back
            # would otherwise cost 10,000 lookups (and thread hops) in the first 30 s.
            self._loaded = True
            self._known.update(await run_in_threadpool(self._load_all))
        kiosk_id = self._known.get(digest)
        if kiosk_id is None:
            kiosk_id = await run_in_threadpool(self._look_up, digest)
            if kiosk_id is None:
                raise errors.unauthorized()
            self._known[digest] = kiosk_id
            if len(self._known) > TOKEN_CACHE_SIZE:
                self._known.popitem(last=False)
        return kiosk_id

    def _load_all(self) -> list[tuple[str, str]]:
        with self._hub.reader() as session:
            query = select(Kiosk.token_hash, Kiosk.id).where(Kiosk.revoked.is_(False)).limit(TOKEN_CACHE_SIZE)
            return [(digest, kiosk_id) for digest, kiosk_id in session.execute(query)]

    def _look_up(self, digest: str) -> str | None:
        with self._hub.reader() as session:
            return session.scalar(select(Kiosk.id).where(Kiosk.token_hash == digest, Kiosk.revoked.is_(False)))


@dataclass
class _Waiting:
    kiosk_id: str
    beat: Heartbeat
    answer: asyncio.Future[Outcome] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class HeartbeatBuffer:
    """Group commit: callers queue here; one writer task drains the queue batch by batch while it is not empty."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._queue: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None
        self._last_history: History = {}

    async def take(self, kiosk_id: str, beat: Heartbeat) -> HeartbeatReply:
        waiting = _Waiting(kiosk_id, beat)
        self._queue.append(waiting)
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._drain())
        outcome = await waiting.answer
        if isinstance(outcome, errors.HubError):
            raise outcome
        return outcome

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                try:
                    outcomes = await self._hub.write(self._write, [(w.kiosk_id, w.beat) for w in batch])
                except Exception as exc:  # the whole batch rolled back: every caller gets the error (a 500)
                    self._last_history.clear()  # it may name history rows that were rolled back
                    for waiting in batch:
                        if not waiting.answer.done():
                            waiting.answer.set_exception(exc)
                    continue
                for waiting, outcome in zip(batch, outcomes, strict=True):
                    if not waiting.answer.done():  # a caller that went away is simply not answered
                        waiting.answer.set_result(outcome)
        finally:
            self._writer = None

    def _write(self, beats: list[tuple[str, Heartbeat]]) -> list[Outcome]:
        with self._hub.writer() as session:
            outcomes = write_batch(session, beats, self._hub.clock(), self._last_history)
            session.commit()
        return outcomes
