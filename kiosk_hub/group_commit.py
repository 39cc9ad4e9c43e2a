"""Group commit for ticket issues on SQLite: requests that arrive while a batch is being written wait together
and go to the single writer thread as the next batch, written in one transaction with one fsync.

Every caller is answered only after the commit that holds its ticket, so durability is that of a lone commit;
under load the fsync is shared by the batch instead of paid per ticket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from kiosk_hub import errors
from kiosk_hub.api import wire
from kiosk_hub.tickets import IssueOutcome, IssueRequest

# A batch this large takes a few milliseconds to write; more would only delay its first caller.
MAX_BATCH = 64

WriteBatch = Callable[[Sequence[IssueRequest]], Awaitable[list[IssueOutcome]]]


class IssueBatcher:
    """Collects waiting ticket requests on the event loop and writes them a batch at a time."""

    def __init__(self, write_batch: WriteBatch) -> None:
        self._write_batch = write_batch
        self._waiting: list[tuple[IssueRequest, asyncio.Future[IssueOutcome]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def issue(self, request: IssueRequest) -> tuple[wire.Ticket, bool]:
        future: asyncio.Future[IssueOutcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        outcome = await future
        if isinstance(outcome, errors.HubError):
            raise outcome
        return outcome

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                outcomes = await self._write_batch([request for request, _ in batch])
            except Exception as failure:  # a bug or a lost database: every caller of the batch gets the 500
                for _, future in batch:
                    if not future.done():
                        future.set_exception(failure)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():  # the caller may have gone (client disconnected)
                    future.set_result(outcome)
