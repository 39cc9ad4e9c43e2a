"""Several queue watchers told of each change in turn, in the change's transaction (the hub's event feed and its
expected waits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from kiosk_hub.queue.watch import QueueWatcher, WatchedTicket

if TYPE_CHECKING:
    from kiosk_hub.queue.batch import IssueRequest


class EveryWatcher:
    """Implements `queue.watch.QueueWatcher` by telling each of its watchers, in order."""

    def __init__(self, *watchers: QueueWatcher) -> None:
        self._watchers = watchers

    def issued(self, conn: Connection, placed: Sequence[tuple[IssueRequest, WatchedTicket]]) -> None:
        for watcher in self._watchers:
            watcher.issued(conn, placed)

    def called(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        for watcher in self._watchers:
            watcher.called(conn, ticket, moment)

    def cancelled(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        for watcher in self._watchers:
            watcher.cancelled(conn, ticket, moment)

    def recalled(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        for watcher in self._watchers:
            watcher.recalled(conn, ticket, moment)

    def skipped(self, conn: Connection, ticket: WatchedTicket, moment: datetime, *, missed: bool) -> None:
        for watcher in self._watchers:
            watcher.skipped(conn, ticket, moment, missed=missed)

    def started(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        for watcher in self._watchers:
            watcher.started(conn, ticket, moment)

    def served(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        for watcher in self._watchers:
            watcher.served(conn, ticket, moment)

    def transferred(self, conn: Connection, ticket: WatchedTicket, moment: datetime, from_department_id: str) -> None:
        for watcher in self._watchers:
            watcher.transferred(conn, ticket, moment, from_department_id)
