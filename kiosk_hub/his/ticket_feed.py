"""The hub's queue watcher: every ticket change becomes an outbox event, and a ticket with a patient becomes a visit
to open in the HIS, in the same transaction as the change (one statement per batch for each).

What happens at the rooms (`kiosk_hub/calling`) arrives here the same way: recalled, skipped or missed, started,
served (which closes the visit in the HIS) and transferred.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, cast

from sqlalchemy import Connection, Table, insert, update

from kiosk.domain.ticket import display_number
from kiosk_hub.events.outbox import EventType, NewEvent, record_events, subject_of
from kiosk_hub.his.models import HisVisit, VisitGoal
from kiosk_hub.queue.watch import WatchedTicket

if TYPE_CHECKING:
    from kiosk_hub.queue.batch import IssueRequest

VISITS = cast(Table, HisVisit.__table__)
_INSERT_VISITS = insert(VISITS)


def ticket_data(ticket: WatchedTicket) -> dict[str, object]:
    """What every ticket event says: references and codes, no personal data."""
    return {
        "ticket_id": ticket.id,
        "patient_ref": ticket.patient_ref,
        "department_id": ticket.department_id,
        "room_id": ticket.room_id,
        "day": ticket.day.isoformat(),
        "lane": ticket.lane,
        "number": ticket.number,
        "display_number": display_number(ticket.lane, ticket.number),
        "visit_type": ticket.visit_type,
    }


def _event(kind: EventType, ticket: WatchedTicket, moment: datetime, **extra: object) -> NewEvent:
    return NewEvent(kind, subject_of(ticket.patient_ref, ticket.id), {**ticket_data(ticket), **extra}, moment)


def _visit_goal(conn: Connection, ticket_id: str, goal: VisitGoal, moment: datetime) -> None:
    conn.execute(
        update(VISITS)
        .where(VISITS.c.ticket_id == ticket_id, VISITS.c.goal == VisitGoal.OPEN.value)
        .values(goal=goal.value, next_attempt_at=moment, failed=False)
    )


class TicketFeed:
    """Implements `queue.watch.QueueWatcher` for the hub; `nudge` (optional) wakes the visit dispatcher."""

    def __init__(self, nudge: Callable[[], None] | None = None) -> None:
        self._nudge = nudge or (lambda: None)

    def issued(self, conn: Connection, placed: Sequence[tuple[IssueRequest, WatchedTicket]]) -> None:
        events = [
            _event(
                EventType.TICKET_ISSUED,
                ticket,
                ticket.issued_at,
                priority_reasons=[r for r in ticket.priority_reasons.split(",") if r],
                kiosk_id=ticket.kiosk_id,
            )
            for _, ticket in placed
        ]
        record_events(conn, events)
        visits = [
            {
                "id": str(uuid.uuid4()),
                "ticket_id": ticket.id,
                "patient_ref": ticket.patient_ref,
                "goal": VisitGoal.OPEN.value,
                "done": "",
                "visit_code": None,
                "his_patient_id": None,
                "appointment_code": request.appointment_code,
                "attempts": 0,
                "created_at": ticket.issued_at,
                "next_attempt_at": ticket.issued_at,
                "claimed_until": None,
                "failed": False,
                "last_error": None,
            }
            for request, ticket in placed
            if ticket.patient_ref is not None
        ]
        if visits:
            conn.execute(_INSERT_VISITS, visits)
            self._nudge()

    def called(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        record_events(conn, [_event(EventType.TICKET_CALLED, ticket, moment)])

    def cancelled(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        record_events(conn, [_event(EventType.TICKET_CANCELLED, ticket, moment)])
        _visit_goal(conn, ticket.id, VisitGoal.CANCELLED, moment)
        self._nudge()

    def recalled(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        record_events(conn, [_event(EventType.TICKET_RECALLED, ticket, moment)])

    def skipped(self, conn: Connection, ticket: WatchedTicket, moment: datetime, *, missed: bool) -> None:
        kind = EventType.TICKET_MISSED if missed else EventType.TICKET_SKIPPED
        record_events(conn, [_event(kind, ticket, moment)])

    def started(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        record_events(conn, [_event(EventType.TICKET_STARTED, ticket, moment)])

    def served(self, conn: Connection, ticket: WatchedTicket, moment: datetime) -> None:
        """The patient was seen: announce it and close the visit in the HIS."""
        record_events(conn, [_event(EventType.TICKET_SERVED, ticket, moment)])
        _visit_goal(conn, ticket.id, VisitGoal.CLOSED, moment)
        self._nudge()

    def transferred(self, conn: Connection, ticket: WatchedTicket, moment: datetime, from_department_id: str) -> None:
        """The ticket moved to another department or room (the visit stays open in the HIS)."""
        event = _event(EventType.TICKET_TRANSFERRED, ticket, moment, from_department_id=from_department_id)
        record_events(conn, [event])
