"""Issuing, reading, cancelling and calling queue tickets, with numbers that never repeat.

Numbers come from one atomic upsert on the (department, day, lane) counter row inside the transaction that
inserts the tickets (`batch.py`): concurrent issuers queue on that row (PostgreSQL) or on the write lock
(SQLite), a failed insert rolls the counter back with it (no gaps), and unique constraints catch anything that
slips through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.dates import local_date
from kiosk.domain.ticket import Lane, VisitType, display_number
from kiosk_hub import errors, wire
from kiosk_hub.access.grants import may_use
from kiosk_hub.db.engine import as_utc
from kiosk_hub.db.models import Department, LanePolicy, Ticket, TicketStatus
from kiosk_hub.queue.batch import (
    Decision,
    IssueOutcome,
    IssueRequest,
    Known,
    Placed,
    TicketFacts,
    look_up,
    write_batch,
)
from kiosk_hub.queue.catalog import Catalog
from kiosk_hub.queue.estimate import ConfiguredPace, WaitEstimator
from kiosk_hub.queue.order import next_is_priority
from kiosk_hub.queue.state import first_waiting, normals_since_priority, record_call, tickets_ahead
from kiosk_hub.queue.watch import QueueWatcher, Unwatched

Clock = Callable[[], datetime]
__all__ = ["IssueOutcome", "IssueRequest", "QueueBook", "TicketFacts"]


class QueueBook:
    """The book of today's queues: issues numbers, tells a ticket's place, cancels, calls the next. Shared by every
    kiosk and every hub process on the same database."""

    def __init__(
        self,
        reader: sessionmaker[Session],
        writer: sessionmaker[Session],
        clock: Clock,
        public_base_url: str,
        watcher: QueueWatcher | None = None,
        estimator: WaitEstimator | None = None,
    ) -> None:
        self._watcher = watcher or Unwatched()
        self.estimator = estimator or ConfiguredPace()
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._public_base_url = public_base_url.rstrip("/")
        self.catalog = Catalog(reader)

    def today(self) -> date:
        return local_date(self._clock())

    def issue(self, request: IssueRequest) -> tuple[wire.Ticket, bool]:
        """The ticket for this request and whether it already existed (a retry or the same patient today)."""
        for _attempt in range(3):
            with self._writer() as session:
                try:
                    (decision,) = self._write(session, [request])
                    session.commit()
                except IntegrityError:
                    # Another process inserted the same retry or the same patient's ticket meanwhile.
                    session.rollback()
                    continue
                outcome = self._answer(decision)
                if isinstance(outcome, errors.HubError):
                    raise outcome
                return outcome
        raise RuntimeError("ticket insert kept conflicting")

    def issue_many(self, requests: Sequence[IssueRequest]) -> list[IssueOutcome]:
        """Group commit: the requests in one transaction and one commit (one fsync), each answer or refusal
        in order. Nothing is answered before the commit, so a ticket is as durable as with `issue`."""
        try:
            with self._writer() as session:
                decisions = self._write(session, requests)
                session.commit()
        except IntegrityError:
            # Another process won a race for one of them: the batch rolled back whole, retry one by one.
            return [self._issue_alone(request) for request in requests]
        # The answers are built after the commit: the lanes' counter rows are held no longer than the writing.
        return [self._answer(decision) for decision in decisions]

    def _issue_alone(self, request: IssueRequest) -> IssueOutcome:
        try:
            return self.issue(request)
        except errors.HubError as refusal:
            return refusal

    def _write(self, session: Session, requests: Sequence[IssueRequest]) -> list[Decision]:
        day = self.today()
        known = self._look_up(session, requests, day)
        decisions = write_batch(session, requests, known, self.catalog, day, self._clock(), self._watcher)
        for decision in decisions:
            if isinstance(decision, Placed) and decision.existing:  # the batch counted only its new tickets
                decision.ahead = self._position(session, decision.ticket)
        return decisions

    def _answer(self, decision: Decision) -> IssueOutcome:
        if isinstance(decision, errors.HubError):
            return decision
        return self._wire(decision.ticket, reprint=decision.existing, ahead=decision.ahead), decision.existing

    def _look_up(self, session: Session, requests: Sequence[IssueRequest], day: date) -> Known:
        """The tickets these requests may already have (a seam for tests that stage a race)."""
        return look_up(session.connection(), requests, day)

    def get(self, ticket_id: str) -> wire.Ticket:
        """Any ticket, for the hub itself (a replay's answer, the provisional page); kiosks go through
        `get_for_kiosk`."""
        with self._reader() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise errors.not_found("ticket")
            return self._to_wire(session, ticket, reprint=False)

    def get_for_kiosk(self, kiosk_id: str, ticket_id: str) -> wire.Ticket:
        """The ticket if this kiosk issued it or was handed it; any other answers "no such ticket"."""
        with self._reader() as session:
            ticket = self._kiosk_ticket(session, kiosk_id, ticket_id)
            return self._to_wire(session, ticket, reprint=False)

    @staticmethod
    def _kiosk_ticket(session: Session, kiosk_id: str, ticket_id: str) -> Ticket:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or not may_use(session, ticket.id, ticket.kiosk_id, kiosk_id):
            raise errors.not_found("ticket")  # 404 either way: another kiosk's ticket is not confirmed to exist
        return ticket

    def by_public_token(self, token: str) -> wire.Ticket:
        with self._reader() as session:
            ticket = session.scalars(select(Ticket).where(Ticket.public_token == token)).one_or_none()
            if ticket is None:
                raise errors.not_found("ticket")
            return self._to_wire(session, ticket, reprint=False)

    def cancel(self, kiosk_id: str, ticket_id: str) -> wire.Ticket:
        """Cancels a waiting ticket this kiosk issued or was handed."""
        with self._writer() as session:
            ticket = self._kiosk_ticket(session, kiosk_id, ticket_id)
            if ticket.status == TicketStatus.CANCELLED:
                return self._to_wire(session, ticket, reprint=False)  # cancelling twice is a retry, not an error
            if ticket.status != TicketStatus.WAITING:
                raise errors.ticket_not_cancellable()
            ticket.status = TicketStatus.CANCELLED
            ticket.cancelled_at = self._clock()
            session.flush()
            self._watcher.cancelled(session.connection(), ticket, ticket.cancelled_at)
            answer = self._to_wire(session, ticket, reprint=False)
            session.commit()
            return answer

    def call_next(self, department_id: str) -> wire.Ticket:
        """Call the next waiting ticket of the department: staff of the department or a HIS decide (the routes
        check who); two callers at once never take the same ticket."""
        with self._writer() as session:
            department = lock_department(session, department_id)
            ticket = take_next(session, department, self.today(), None, self._clock())
            if ticket is None:
                raise errors.queue_empty()
            self._watcher.called(session.connection(), ticket, ticket.called_at or self._clock())
            answer = self._to_wire(session, ticket, reprint=False)
            session.commit()
            return answer

    def wire_of(self, session: Session, ticket: Ticket) -> wire.Ticket:
        """A ticket as the API answers it, read in the caller's transaction."""
        return self._to_wire(session, ticket, reprint=False)

    def _to_wire(self, session: Session, ticket: TicketFacts, *, reprint: bool) -> wire.Ticket:
        return self._wire(ticket, reprint=reprint, ahead=self._position(session, ticket))

    def _position(self, session: Session, ticket: TicketFacts) -> int | None:
        """Waiting tickets called before this one; None once it is called or cancelled."""
        if ticket.status != TicketStatus.WAITING:
            return None
        department = self.catalog.department(ticket.department_id)
        assert department is not None  # a foreign key
        return tickets_ahead(
            session,
            department.id,
            department.policy,
            department.priority_every,
            ticket.day,
            Lane(ticket.lane),
            ticket.number,
        )

    def _wire(self, ticket: TicketFacts, *, reprint: bool, ahead: int | None) -> wire.Ticket:
        department = self.catalog.department(ticket.department_id)
        assert department is not None  # a foreign key
        estimate = (
            None
            if ahead is None
            else self.estimator.minutes(
                department.id, department.minutes_per_patient, len(department.rooms), ahead, self._clock()
            )
        )
        return wire.Ticket(
            id=ticket.id,
            number=ticket.number,
            display_number=display_number(ticket.lane, ticket.number),
            department_id=ticket.department_id,
            department_name=department.names,
            lane=Lane(ticket.lane),
            day=ticket.day,
            room=department.room(ticket.room_id),
            visit_type=VisitType(ticket.visit_type),
            status=TicketStatus(ticket.status),
            issued_at=as_utc(ticket.issued_at),
            called_at=as_utc(ticket.called_at) if ticket.called_at else None,
            position=ahead,
            wait_estimate_minutes=estimate,
            status_url=f"{self._public_base_url}/t/{ticket.public_token}",
            reprint=reprint,
        )


def lock_department(session: Session, department_id: str) -> Department:
    """The department, locked for calling on PostgreSQL (two counters calling at once queue here; SQLite's writer
    lock does the same)."""
    department = session.get(Department, department_id)
    if department is None:
        raise errors.not_found("department")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Department.id).where(Department.id == department_id).with_for_update())
    return department


def take_next(session: Session, department: Department, day: date, room_id: str | None, now: datetime) -> Ticket | None:
    """Mark the next ticket by the department's lane policy called (for a room: among those for it or for any
    room), count the call; None when nobody waits. The caller holds `lock_department`."""
    heads = {lane: first_waiting(session, department.id, day, lane, room_id) for lane in Lane}
    policy = LanePolicy(department.lane_policy)
    streak = normals_since_priority(session, department.id, day) if policy is LanePolicy.INTERLEAVED else 0
    priority_first = next_is_priority(
        heads[Lane.PRIORITY] is not None, heads[Lane.NORMAL] is not None, policy, department.priority_every, streak
    )
    lane = Lane.PRIORITY if priority_first else Lane.NORMAL
    ticket = heads[lane]
    if ticket is None:
        return None
    ticket.status = TicketStatus.CALLED
    ticket.called_at = now
    if room_id is not None:
        ticket.room_id = room_id
    ticket.call_seq = record_call(session, department.id, day, lane)
    session.flush()
    return ticket
