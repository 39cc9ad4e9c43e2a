"""What the queue tells whoever watches it, inside the transaction of each change: tickets issued, called,
cancelled. The hub's watcher (`his/ticket_feed.py`) turns them into outbox events and visits to open in the HIS;
the queue itself knows neither."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Connection

if TYPE_CHECKING:
    from kiosk_hub.queue.batch import IssueRequest


class WatchedTicket(Protocol):
    """The ticket fields a watcher reads: an ORM Ticket or the values a batch inserted."""

    id: str
    department_id: str
    day: date
    lane: str
    number: int
    room_id: str | None
    patient_ref: str | None
    visit_type: str
    priority_reasons: str
    status: str
    issued_at: datetime
    kiosk_id: str


class QueueWatcher(Protocol):
    def issued(self, conn: Connection, placed: Sequence[tuple[IssueRequest, WatchedTicket]]) -> None:
        """New tickets, just inserted (not retries or reprints)."""
        ...

    def called(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None: ...

    def cancelled(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None: ...


class Unwatched:
    """A queue nobody watches (tools and tests that build a QueueBook alone)."""

    def issued(self, conn: Connection, placed: Sequence[tuple[IssueRequest, WatchedTicket]]) -> None:
        return None

    def called(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        return None

    def cancelled(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        return None
