"""A batch of ticket requests written as sets, inside one transaction.

One lookup finds the batch's retries, one finds today's tickets of its patients, one counter update per department
and lane numbers all its new tickets, one multi-row insert writes them, one count per department gives their
positions: a handful of statements per batch instead of four per ticket. Each request still gets the answer it
would get alone: a retry its ticket (the same key twice in a batch, too), a reused key with another body a refusal,
a patient already queued today their ticket, an unknown department a refusal.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Protocol, cast

from sqlalchemy import Connection, Table, bindparam, insert, select
from sqlalchemy.orm import Session

from kiosk.domain.ticket import Lane
from kiosk_hub import errors, wire
from kiosk_hub.access.grants import grant_tickets
from kiosk_hub.db.models import Ticket, TicketStatus
from kiosk_hub.queue.catalog import Catalog
from kiosk_hub.queue.state import QueueCounts, add_to_counter
from kiosk_hub.queue.watch import QueueWatcher, WatchedTicket

TICKETS = cast(Table, Ticket.__table__)
IssueOutcome = tuple[wire.Ticket, bool] | errors.HubError


class TicketFacts(Protocol):
    """What a ticket answer is built from: an ORM Ticket, a Core row, or the values just inserted."""

    id: str
    public_token: str
    department_id: str
    day: date
    lane: str
    number: int
    room_id: str | None
    visit_type: str
    status: str
    issued_at: datetime
    called_at: datetime | None
    request_fingerprint: str
    kiosk_id: str


@dataclass(frozen=True)
class IssueRequest:
    kiosk_id: str
    idempotency_key: str
    body: wire.TicketRequest
    appointment_code: str | None = None  # a booking checked in: its visit in the HIS is that booking's

    def fingerprint(self) -> str:
        canonical = json.dumps(self.body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Placed:
    """A request's ticket: new, or one that already existed (a retry, the same patient today)."""

    ticket: TicketFacts
    existing: bool
    ahead: int | None = None  # the position: counted by the batch for its new tickets, by the queue book for the others


Decision = Placed | errors.HubError


@dataclass
class Known:
    """Tickets the batch's requests may already have: by (kiosk, key) and by (patient, department) today."""

    by_key: dict[tuple[str, str], TicketFacts]
    by_patient: dict[tuple[str, str], TicketFacts]


_BY_KEYS = select(TICKETS).where(
    TICKETS.c.kiosk_id.in_(bindparam("kiosks", expanding=True)),
    TICKETS.c.idempotency_key.in_(bindparam("keys", expanding=True)),
)
_PATIENTS_TODAY = select(TICKETS).where(
    TICKETS.c.patient_ref.in_(bindparam("refs", expanding=True)),
    TICKETS.c.day == bindparam("day"),
    TICKETS.c.status != TicketStatus.CANCELLED.value,
)
_INSERT = insert(TICKETS)


def look_up(conn: Connection, requests: Sequence[IssueRequest], day: date) -> Known:
    wanted = {(r.kiosk_id, r.idempotency_key) for r in requests}
    params = {"kiosks": sorted({k for k, _ in wanted}), "keys": sorted({key for _, key in wanted})}
    rows = conn.execute(_BY_KEYS, params).all()
    by_key = {(row.kiosk_id, row.idempotency_key): row for row in rows if (row.kiosk_id, row.idempotency_key) in wanted}
    refs = sorted({r.body.patient_id for r in requests if r.body.patient_id is not None})
    by_patient: dict[tuple[str, str], TicketFacts] = {}
    if refs:
        for row in conn.execute(_PATIENTS_TODAY, {"refs": refs, "day": day}).all():
            by_patient[(row.patient_ref, row.department_id)] = row
    return Known(cast(dict[tuple[str, str], TicketFacts], by_key), by_patient)


def write_batch(
    session: Session,
    requests: Sequence[IssueRequest],
    known: Known,
    catalog: Catalog,
    day: date,
    now: datetime,
    watcher: QueueWatcher,
) -> list[Decision]:
    """Each request's decision, in the requests' order; the new tickets are inserted, numbered and counted, and
    the watcher told in the same transaction (the outbox rows commit with the tickets, one statement each). A kiosk
    handed back another kiosk's ticket (the same patient today) is granted that ticket (`access/grants.py`)."""
    decisions: list[Decision | None] = [None] * len(requests)
    queues: dict[tuple[str, str], list[SimpleNamespace]] = {}
    placed: list[tuple[IssueRequest, WatchedTicket]] = []
    handed: list[tuple[str, str]] = []
    for i, request in enumerate(requests):  # in arrival order: the first of two requests for a patient wins
        body = request.body
        key = (request.kiosk_id, request.idempotency_key)
        found = known.by_key.get(key)
        if found is not None:
            same_body = found.request_fingerprint == request.fingerprint()
            decisions[i] = Placed(found, existing=True) if same_body else errors.idempotency_key_reused()
            continue
        if catalog.open_for_tickets(body.department_id) is None:  # unknown, or hidden from kiosks
            decisions[i] = errors.not_found("department")
            continue
        patient = (body.patient_id, body.department_id) if body.patient_id is not None else None
        queued = known.by_patient.get(patient) if patient is not None else None
        if queued is not None:
            decisions[i] = Placed(queued, existing=True)
            if queued.kiosk_id != request.kiosk_id:
                handed.append((queued.id, request.kiosk_id))
            continue
        ticket = _new_ticket(request, day, now)
        known.by_key[key] = cast(TicketFacts, ticket)
        if patient is not None:
            known.by_patient[patient] = cast(TicketFacts, ticket)
        queues.setdefault((body.department_id, body.lane.value), []).append(ticket)
        placed.append((request, cast(WatchedTicket, ticket)))
        decisions[i] = Placed(cast(TicketFacts, ticket), existing=False)
    if queues:
        _number(session, catalog, day, queues)
        conn = session.connection()
        conn.execute(_INSERT, [vars(ticket) for queue in queues.values() for ticket in queue])
        watcher.issued(conn, placed)
        _count_positions(session, catalog, day, queues, decisions)
    grant_tickets(session, handed, "reprint", now)
    return [d for d in decisions if d is not None]


def _new_ticket(request: IssueRequest, day: date, now: datetime) -> SimpleNamespace:
    body = request.body
    return SimpleNamespace(
        id=str(uuid.uuid4()),
        public_token=secrets.token_urlsafe(24),
        department_id=body.department_id,
        day=day,
        lane=body.lane.value,
        number=0,  # set by _number once the batch's new tickets of this lane are counted
        room_id=None,
        patient_ref=body.patient_id,
        visit_type=body.visit_type.value,
        priority_reasons=",".join(sorted(set(body.priority_reasons))),
        status=TicketStatus.WAITING.value,
        issued_at=now,
        called_at=None,
        call_seq=None,
        cancelled_at=None,
        kiosk_id=request.kiosk_id,
        idempotency_key=request.idempotency_key,
        request_fingerprint=request.fingerprint(),
    )


def _number(
    session: Session, catalog: Catalog, day: date, queues: dict[tuple[str, str], list[SimpleNamespace]]
) -> None:
    for (department_id, lane), tickets in sorted(queues.items(), key=lambda item: item[0]):
        last = add_to_counter(session, department_id, day, lane, len(tickets))
        department = catalog.department(department_id)
        rooms = [room.id for room in department.rooms] if department else []
        for number, ticket in zip(range(last - len(tickets) + 1, last + 1), tickets, strict=True):
            ticket.number = number
            ticket.room_id = rooms[(number - 1) % len(rooms)] if rooms else None


def _count_positions(
    session: Session,
    catalog: Catalog,
    day: date,
    queues: dict[tuple[str, str], list[SimpleNamespace]],
    decisions: list[Decision | None],
) -> None:
    """Positions as the queue stands once the batch is in: what the status page says right after."""
    counts = QueueCounts(session, day)
    ahead: dict[int, int] = {}
    for (department_id, lane), tickets in queues.items():
        department = catalog.department(department_id)
        assert department is not None  # checked when the request was taken
        last = tickets[-1].number
        for ticket in tickets:
            behind = last - ticket.number  # the batch's later tickets of this lane
            ahead[id(ticket)] = counts.ahead_of_new(
                department_id, department.policy, department.priority_every, Lane(lane), behind
            )
    for decision in decisions:
        if isinstance(decision, Placed) and not decision.existing:
            decision.ahead = ahead[id(decision.ticket)]
