"""What the queue tells whoever watches it, inside the transaction of each change: tickets issued, called,
cancelled, and what happens at the rooms (`kiosk_hub/calling`): recalled, skipped or missed, started, served,
transferred. The hub's watcher (`his/ticket_feed.py`) turns them into outbox events and visits to open in the HIS;
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

    def recalled(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None: ...

    def skipped(self, conn: Connection, ticket: WatchedTicket, moment: datetime, *, missed: bool) -> None:
        """Did not come when called: back in the queue after a few calls, or `missed` for good."""
        ...

    def started(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None: ...

    def served(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        """Done at the room (where a service time can be learnt: from `started`, else from `called`)."""
        ...

    def transferred(self, conn: Connection, ticket: WatchedTicket, moment: datetime, from_department_id: str) -> None:
        """Moved to another department or room; `ticket` is as it is now (its new department, room and number)."""
        ...


class Unwatched:
    """A queue nobody watches (tools and tests that build a QueueBook alone)."""

    def issued(self, conn: Connection, placed: Sequence[tuple[IssueRequest, WatchedTicket]]) -> None:
        return None

    def called(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        return None

    def cancelled(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        return None

    def recalled(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        return None

    def skipped(self, conn: Connection, ticket: WatchedTicket, moment: datetime, *, missed: bool) -> None:
        return None

    def started(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        return None

    def served(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        return None

    def transferred(self, conn: Connection, ticket: WatchedTicket, moment: datetime, from_department_id: str) -> None:
        return None
