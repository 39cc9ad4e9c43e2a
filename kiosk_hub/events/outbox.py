"""The writer of the event feed: announce a change in the transaction that makes it.

    from kiosk_hub.events.outbox import NewEvent, record_event, record_events

    record_event(session, "ticket.served", subject=ticket_subject(ticket.patient_ref, ticket.id),
                 data={"ticket_id": ticket.id, ...}, occurred_at=now)

`session` is the SQLAlchemy Session (or Connection) of the change: the event commits with it or not at all. The
data must be minimal: references (ticket, visit, patient ref of the HIS, department, room), codes and times; never
a name, an ID number, a card code, an address or a phone number (docs/his-integration.md lists each event's fields).
Events of one subject (a patient, or a ticket without a patient) are delivered in the order they were recorded.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import cast

from sqlalchemy import Connection, Table, insert
from sqlalchemy.orm import Session

from kiosk_hub.events.models import OutboxEvent

OUTBOX = cast(Table, OutboxEvent.__table__)
_INSERT = insert(OUTBOX)
TYPE_PATTERN = re.compile(r"^[a-z]+(\.[a-z_]+)+$")
# Keys that would carry personal data: refused by the writer, so a careless caller fails in its tests, not in a
# hospital's webhook log.
PERSONAL_KEYS = frozenset(
    {"full_name", "name", "id_number", "cccd", "bhyt_code", "card_code", "bhxh_number", "address", "phone"}
)


class EventType(StrEnum):
    """The events the hub announces today; other concerns add theirs (e.g. `payment.paid`) by name."""

    PATIENT_REGISTERED = "patient.registered"
    ENTITLEMENT_CHECKED = "entitlement.checked"
    VISIT_OPENED = "visit.opened"
    VISIT_CANCELLED = "visit.cancelled"
    VISIT_CLOSED = "visit.closed"
    VISIT_FAILED = "visit.failed"
    TICKET_ISSUED = "ticket.issued"
    TICKET_CALLED = "ticket.called"
    TICKET_RECALLED = "ticket.recalled"
    TICKET_SKIPPED = "ticket.skipped"
    TICKET_MISSED = "ticket.missed"
    TICKET_STARTED = "ticket.started"
    TICKET_SERVED = "ticket.served"
    TICKET_CANCELLED = "ticket.cancelled"
    TICKET_TRANSFERRED = "ticket.transferred"


@dataclass(frozen=True)
class NewEvent:
    type: str
    subject: str
    data: Mapping[str, object]
    occurred_at: datetime

    def row(self) -> dict[str, object]:
        if not TYPE_PATTERN.match(self.type):
            raise ValueError(f"event type {self.type!r} is not like 'ticket.issued'")
        leaked = PERSONAL_KEYS & set(self.data)
        if leaked:
            raise ValueError(f"personal data in event {self.type}: {sorted(leaked)}")
        return {
            "id": str(uuid.uuid4()),
            "type": self.type,
            "subject": self.subject[:100],
            "occurred_at": self.occurred_at,
            "data": json.dumps(self.data, ensure_ascii=False, separators=(",", ":"), default=str),
            "position": None,
            "published_at": None,
        }


def subject_of(patient_ref: str | None, ticket_id: str | None = None) -> str:
    """The ordering key: the patient when known, else the ticket (an anonymous ticket's events stay in order)."""
    if patient_ref:
        return f"patient:{patient_ref}"
    return f"ticket:{ticket_id}"


def record_events(session: Session | Connection, events: Sequence[NewEvent]) -> None:
    """Insert the events in the caller's transaction, one statement for all of them."""
    if not events:
        return
    conn = session.connection() if isinstance(session, Session) else session
    conn.execute(_INSERT, [event.row() for event in events])


def record_event(
    session: Session | Connection, type: str, *, subject: str, data: Mapping[str, object], occurred_at: datetime
) -> None:
    """Insert one event in the caller's transaction."""
    record_events(session, [NewEvent(type, subject, data, occurred_at)])
