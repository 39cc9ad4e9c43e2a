"""What the kiosk says on its own while the hub is away: a pending entitlement, a provisional ticket, and the
registration journaled for the hub (in the hub's replay wire shape)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from kiosk.domain.dates import local_date
from kiosk.domain.entitlement import result_for_code
from kiosk.domain.ticket import VisitType, display_number
from kiosk.flow.records import Bilingual, DepartmentChoice, EntitlementAnswer, IssuedTicket, TicketOrder

OFFLINE_PREFIX = "offline-"  # ids the kiosk made up; the hub never issues one like it


def pending_entitlement(card_code: str) -> EntitlementAnswer:
    """The gateway's "cannot answer now" (500): the patient is registered, the hub re-checks the card later."""
    result = result_for_code("500")
    return EntitlementAnswer(action=result.action, message_key=result.message_key, to_recheck=True, card_code=card_code)


def department_to_json(d: DepartmentChoice) -> dict[str, Any]:
    return {
        "id": d.id,
        "name": [d.name.vi, d.name.en],
        "location": [d.location.vi, d.location.en],
        "open_now": d.open_now,
        "queue_length": d.queue_length,
        "wait_estimate_minutes": d.wait_estimate_minutes,
    }


def department_from_json(d: dict[str, Any]) -> DepartmentChoice:
    return DepartmentChoice(
        id=d["id"],
        name=Bilingual(*d["name"]),
        location=Bilingual(*d["location"]),
        open_now=bool(d["open_now"]),
        queue_length=int(d["queue_length"]),
        wait_estimate_minutes=int(d["wait_estimate_minutes"]),
    )


def registration(
    order: TicketOrder,
    issued_at: datetime,
    patient: dict[str, Any] | None,
    card: dict[str, Any] | None,
) -> dict[str, Any]:
    """The journal entry (the hub's `ProvisionalRegistration` without its number, added when one is taken)."""
    entry: dict[str, Any] = {
        "idempotency_key": order.idempotency_key,
        "department_id": order.department_id,
        "lane": order.lane.value,
        "day": local_date(issued_at).isoformat(),
        "issued_at": issued_at.isoformat(),
        "visit_type": order.visit.value,
        "priority_reasons": list(order.priority_reasons),
    }
    if order.patient_id.startswith(OFFLINE_PREFIX):
        entry["patient"] = patient
    else:
        entry["patient_id"] = order.patient_id
    if card is not None and order.visit == VisitType.BHYT:
        entry["entitlement"] = card
    return entry


def key_hash(idempotency_key: str) -> str:
    """What the QR carries of the registration: a hash of its idempotency key (the hub hashes the same)."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


def status_url(hub_url: str, lease_id: str, idempotency_key: str) -> str:
    """The hub's page for a provisional ticket: "not received yet", then a redirect to the ticket's status page once
    the journal is replayed. The lease block's id and a hash: no personal data, nothing the hub's API accepts."""
    return f"{hub_url.rstrip('/')}/t/k/{lease_id}/{key_hash(idempotency_key)}"


def provisional_ticket(
    order: TicketOrder, number: int, issued_at: datetime, department: DepartmentChoice | None, status_url: str
) -> IssuedTicket:
    name = department.name if department else Bilingual(order.department_id, order.department_id)
    return IssuedTicket(
        id=OFFLINE_PREFIX + order.idempotency_key,
        number=number,
        display_number=display_number(order.lane, number),
        department_name=name,
        room_name=None,
        room_location=department.location if department else None,
        lane=order.lane,
        visit=order.visit,
        issued_at=issued_at,
        status_url=status_url,
        position=None,
        wait_estimate_minutes=None,
        reprint=False,
        provisional=True,
    )
