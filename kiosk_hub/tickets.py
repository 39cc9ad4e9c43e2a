"""Issuing, reading, cancelling and calling queue tickets, with numbers that never repeat.

A number comes from one atomic upsert on the (department, day, lane) counter row inside the transaction that
inserts the ticket: concurrent issuers queue on that row (PostgreSQL) or on the write lock (SQLite), a failed
insert rolls the counter back with it (no gaps), and unique constraints catch anything that slips through.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Protocol, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.dates import local_date
from kiosk_hub import errors
from kiosk_hub.api import wire
from kiosk_hub.catalog import Catalog
from kiosk_hub.db.engine import as_utc
from kiosk_hub.db.models import Department, Lane, LanePolicy, Ticket, TicketStatus
from kiosk_hub.queue_order import next_is_priority, wait_minutes
from kiosk_hub.queue_state import (
    CALL_SEQUENCE,
    BatchTally,
    first_waiting,
    next_number,
    normals_since_priority,
    record_call,
    tickets_ahead,
)

Clock = Callable[[], datetime]
IssueOutcome = tuple[wire.Ticket, bool] | errors.HubError
TICKETS = cast(Table, Ticket.__table__)


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


_BY_KEY = select(TICKETS).where(
    TICKETS.c.kiosk_id == bindparam("kiosk_id"), TICKETS.c.idempotency_key == bindparam("key")
)
_SAME_PATIENT_TODAY = select(TICKETS).where(
    TICKETS.c.patient_ref == bindparam("patient_ref"),
    TICKETS.c.department_id == bindparam("department_id"),
    TICKETS.c.day == bindparam("day"),
    TICKETS.c.status != TicketStatus.CANCELLED.value,
)
_INSERT = insert(TICKETS)


@dataclass(frozen=True)
class IssueRequest:
    kiosk_id: str
    idempotency_key: str
    body: wire.TicketRequest

    def fingerprint(self) -> str:
        canonical = json.dumps(self.body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


def display_number(lane: str, number: int) -> str:
    return f"UT-{number:04d}" if lane == Lane.PRIORITY else f"{number:04d}"


class TicketDesk:
    """The hub's ticket machine, shared by every kiosk and every hub process on the same database."""

    def __init__(
        self, reader: sessionmaker[Session], writer: sessionmaker[Session], clock: Clock, public_base_url: str
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._public_base_url = public_base_url.rstrip("/")
        self._catalog = Catalog(reader)

    def today(self) -> date:
        return local_date(self._clock())

    def issue(self, request: IssueRequest) -> tuple[wire.Ticket, bool]:
        """The ticket for this request and whether it already existed (a retry or the same patient today)."""
        for _attempt in range(3):
            with self._writer() as session:
                try:
                    outcome = self._issue_in(session, request, BatchTally(session))
                    session.commit()
                except IntegrityError:
                    # Another process inserted the same retry or the same patient's ticket meanwhile.
                    session.rollback()
                    continue
                return outcome
        raise RuntimeError("ticket insert kept conflicting")

    def issue_many(self, requests: Sequence[IssueRequest]) -> list[IssueOutcome]:
        """Group commit: the requests in one transaction and one commit (one fsync), each answer or refusal
        in order. Nothing is answered before the commit, so a ticket is as durable as with `issue`."""
        # Counter rows are locked in one order, (department, lane), in every batch of every hub process: two batches
        # on PostgreSQL then wait for each other instead of deadlocking. The sort is stable: arrival order is kept
        # within a lane, and answers go back in the requests' order.
        order = sorted(range(len(requests)), key=lambda i: (requests[i].body.department_id, requests[i].body.lane))
        try:
            with self._writer() as session:
                tally = BatchTally(session)
                outcomes: list[IssueOutcome | None] = [None] * len(requests)
                for i in order:
                    try:
                        outcomes[i] = self._issue_in(session, requests[i], tally)
                    except errors.HubError as refusal:  # raised before this request wrote anything
                        outcomes[i] = refusal
                session.commit()
                return [outcome for outcome in outcomes if outcome is not None]
        except IntegrityError:
            # Another process won a race for one of them: the batch rolled back whole, retry one by one.
            return [self._issue_alone(request) for request in requests]

    def _issue_alone(self, request: IssueRequest) -> IssueOutcome:
        try:
            return self.issue(request)
        except errors.HubError as refusal:
            return refusal

    def _issue_in(self, session: Session, request: IssueRequest, tally: BatchTally) -> tuple[wire.Ticket, bool]:
        found = self._existing(session, request)
        if found is not None:
            return self._to_wire(session, found, reprint=True), True
        ticket = self._insert(session, request)
        tally.added(ticket.department_id, ticket.day, ticket.lane)
        return self._to_wire(session, ticket, reprint=False, tally=tally), False  # inside the transaction: one lock

    def _existing(self, session: Session, request: IssueRequest) -> TicketFacts | None:
        conn = session.connection()
        by_key = conn.execute(_BY_KEY, {"kiosk_id": request.kiosk_id, "key": request.idempotency_key}).first()
        if by_key is not None:
            if by_key.request_fingerprint != request.fingerprint():
                raise errors.idempotency_key_reused()
            return by_key
        body = request.body
        if self._catalog.department(body.department_id) is None:
            raise errors.not_found("department")
        if body.patient_id is None:
            return None
        params = {"patient_ref": body.patient_id, "department_id": body.department_id, "day": self.today()}
        return conn.execute(_SAME_PATIENT_TODAY, params).first()

    def _insert(self, session: Session, request: IssueRequest) -> TicketFacts:
        body = request.body
        day = self.today()
        number = next_number(session, body.department_id, day, body.lane)
        department = self._catalog.department(body.department_id)
        rooms = [r.id for r in department.rooms] if department else []
        values = {
            "id": str(uuid.uuid4()),
            "public_token": secrets.token_urlsafe(24),
            "department_id": body.department_id,
            "day": day,
            "lane": body.lane.value,
            "number": number,
            "room_id": rooms[(number - 1) % len(rooms)] if rooms else None,
            "patient_ref": body.patient_id,
            "visit_type": body.visit_type.value,
            "priority_reasons": ",".join(sorted(set(body.priority_reasons))),
            "status": TicketStatus.WAITING.value,
            "issued_at": self._clock(),
            "called_at": None,
            "call_seq": None,
            "cancelled_at": None,
            "kiosk_id": request.kiosk_id,
            "idempotency_key": request.idempotency_key,
            "request_fingerprint": request.fingerprint(),
        }
        session.connection().execute(_INSERT, values)
        return cast(TicketFacts, SimpleNamespace(**values))

    def get(self, ticket_id: str) -> wire.Ticket:
        with self._reader() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise errors.not_found("ticket")
            return self._to_wire(session, ticket, reprint=False)

    def by_public_token(self, token: str) -> wire.Ticket:
        with self._reader() as session:
            ticket = session.scalars(select(Ticket).where(Ticket.public_token == token)).one_or_none()
            if ticket is None:
                raise errors.not_found("ticket")
            return self._to_wire(session, ticket, reprint=False)

    def cancel(self, ticket_id: str) -> wire.Ticket:
        with self._writer() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise errors.not_found("ticket")
            if ticket.status == TicketStatus.CANCELLED:
                return self._to_wire(session, ticket, reprint=False)  # cancelling twice is a retry, not an error
            if ticket.status != TicketStatus.WAITING:
                raise errors.ticket_not_cancellable()
            ticket.status = TicketStatus.CANCELLED
            ticket.cancelled_at = self._clock()
            session.flush()
            answer = self._to_wire(session, ticket, reprint=False)
            session.commit()
            return answer

    def call_next(self, department_id: str) -> wire.Ticket:
        """Call the next waiting ticket of the department (the counter or the HIS drives this)."""
        with self._writer() as session:
            department = session.get(Department, department_id)
            if department is None:
                raise errors.not_found("department")
            if session.get_bind().dialect.name == "postgresql":
                # Two counters calling at once must not both take the same ticket.
                session.execute(select(Department.id).where(Department.id == department_id).with_for_update())
            day = self.today()
            heads = {lane: first_waiting(session, department_id, day, lane) for lane in Lane}
            policy = LanePolicy(department.lane_policy)
            streak = normals_since_priority(session, department_id, day) if policy is LanePolicy.INTERLEAVED else 0
            lane = (
                Lane.PRIORITY
                if next_is_priority(
                    heads[Lane.PRIORITY] is not None,
                    heads[Lane.NORMAL] is not None,
                    policy,
                    department.priority_every,
                    streak,
                )
                else Lane.NORMAL
            )
            ticket = heads[lane]
            if ticket is None:
                raise errors.queue_empty()
            ticket.status = TicketStatus.CALLED
            ticket.called_at = self._clock()
            ticket.call_seq = next_number(session, department_id, day, CALL_SEQUENCE)
            record_call(session, department_id, day, lane)
            session.flush()
            answer = self._to_wire(session, ticket, reprint=False)
            session.commit()
            return answer

    def _to_wire(
        self, session: Session, ticket: TicketFacts, *, reprint: bool, tally: BatchTally | None = None
    ) -> wire.Ticket:
        """`tally`: the ticket was just issued by this batch, which counts its position."""
        department = self._catalog.department(ticket.department_id)
        assert department is not None  # a foreign key
        ahead: int | None = None
        estimate: int | None = None
        if tally is not None:
            ahead = tally.ahead_of_new(
                department.id, department.policy, department.priority_every, ticket.day, Lane(ticket.lane)
            )
        elif ticket.status == TicketStatus.WAITING:
            ahead = tickets_ahead(
                session,
                department.id,
                department.policy,
                department.priority_every,
                ticket.day,
                Lane(ticket.lane),
                ticket.number,
            )
        if ahead is not None:
            estimate = wait_minutes(ahead, department.minutes_per_patient, len(department.rooms))
        return wire.Ticket(
            id=ticket.id,
            number=ticket.number,
            display_number=display_number(ticket.lane, ticket.number),
            department_id=ticket.department_id,
            department_name=department.names,
            lane=Lane(ticket.lane),
            day=ticket.day,
            room=department.room(ticket.room_id),
            visit_type=wire.VisitType(ticket.visit_type),
            status=TicketStatus(ticket.status),
            issued_at=as_utc(ticket.issued_at),
            called_at=as_utc(ticket.called_at) if ticket.called_at else None,
            position=ahead,
            wait_estimate_minutes=estimate,
            status_url=f"{self._public_base_url}/t/{ticket.public_token}",
            reprint=reprint,
        )
