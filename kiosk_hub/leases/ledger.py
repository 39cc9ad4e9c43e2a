"""The hub's ledger of number leases: grants number blocks to kiosks, takes them back, and replays what kiosks
issued offline.

Replay rules: a registration is accepted once per (kiosk, idempotency key) and every later replay gets
the same answer; the patient is registered if the kiosk could not reach the HIS; the ticket takes the number the
patient holds on paper (it lies in this kiosk's lease, so no one else has it); a patient who already has a ticket
today in that department keeps that one (merged); a BHYT visit has its card queued for the BHXH re-check.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.domain.dates import local_date
from kiosk.domain.ticket import Lane, VisitType
from kiosk_hub import errors
from kiosk_hub import wire as api_wire
from kiosk_hub.access.grants import grant_tickets
from kiosk_hub.db.models import Ticket, TicketStatus
from kiosk_hub.leases import wire
from kiosk_hub.leases.counters import reserve_block
from kiosk_hub.leases.models import LeaseReplay, NumberLease, ReplayOutcome
from kiosk_hub.leases.sizing import HORIZON_MINUTES, block_size
from kiosk_hub.queue.tickets import IssueRequest

if TYPE_CHECKING:
    from kiosk_hub.hub import Hub

TICKETS = cast(Table, Ticket.__table__)


def _lease_wire(lease: NumberLease) -> wire.Lease:
    return wire.Lease(
        id=lease.id,
        department_id=lease.department_id,
        lane=Lane(lease.lane),
        day=lease.day,
        first_number=lease.first_number,
        last_number=lease.last_number,
        renew_after=lease.renew_after,
    )


def not_in_lease() -> errors.HubError:
    return errors.HubError(409, "number_not_leased", "This number is not in a lease held by this kiosk for that day")


@dataclass(frozen=True)
class _Placement:
    ticket_id: str
    outcome: ReplayOutcome
    newly_placed: bool


class LeaseLedger:
    """The blocks of numbers kiosks hold, and the registrations they replay into the queue."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._catalog = hub.queue.catalog  # one cache per process: a console edit clears it

    def today(self) -> date:
        return local_date(self._hub.clock())

    # --- leases ----------------------------------------------------------------------------------------------

    def grant(self, kiosk_id: str, request: wire.LeaseRequest) -> wire.Lease:
        """A fresh block for today; the kiosk's earlier block of that lane is returned (its rest stays unissued)."""
        if self._catalog.open_for_tickets(request.department_id) is None:
            raise errors.not_found("department")
        now, day = self._hub.clock(), self.today()
        with self._hub.writer() as session:
            for old in self._active(session, kiosk_id, day, request.department_id, request.lane.value):
                old.returned_at = now
            size = block_size(*self._traffic(session, request.department_id, day, request.lane.value, now))
            first, last = reserve_block(session, request.department_id, day, request.lane.value, size)
            lease = NumberLease(
                id=str(uuid.uuid4()),
                kiosk_id=kiosk_id,
                department_id=request.department_id,
                day=day,
                lane=request.lane.value,
                first_number=first,
                last_number=last,
                granted_at=now,
                renew_after=now + timedelta(minutes=HORIZON_MINUTES),
                returned_at=None,
            )
            session.add(lease)
            session.commit()
            return _lease_wire(lease)

    def held(self, kiosk_id: str) -> wire.LeaseList:
        with self._hub.reader() as session:
            leases = self._active(session, kiosk_id, self.today())
            return wire.LeaseList(leases=[_lease_wire(lease) for lease in leases])

    def give_back(self, kiosk_id: str) -> wire.LeasesReturned:
        """Every block the kiosk holds (at night, or when it is taken out of service)."""
        now = self._hub.clock()
        with self._hub.writer() as session:
            leases = session.scalars(
                select(NumberLease).where(NumberLease.kiosk_id == kiosk_id, NumberLease.returned_at.is_(None))
            ).all()
            for lease in leases:
                lease.returned_at = now
            session.commit()
            return wire.LeasesReturned(returned=len(leases))

    @staticmethod
    def _active(
        session: Session, kiosk_id: str, day: date, department_id: str | None = None, lane: str | None = None
    ) -> list[NumberLease]:
        query = select(NumberLease).where(
            NumberLease.kiosk_id == kiosk_id, NumberLease.day == day, NumberLease.returned_at.is_(None)
        )
        if department_id is not None:
            query = query.where(NumberLease.department_id == department_id, NumberLease.lane == lane)
        return list(session.scalars(query.order_by(NumberLease.department_id, NumberLease.lane)).all())

    @staticmethod
    def _traffic(session: Session, department_id: str, day: date, lane: str, now: datetime) -> tuple[int, int]:
        since = now - timedelta(hours=1)
        row = session.execute(
            select(func.count(), func.count(func.distinct(Ticket.kiosk_id))).where(
                Ticket.department_id == department_id,
                Ticket.day == day,
                Ticket.lane == lane,
                Ticket.issued_at >= since,
            )
        ).one()
        return int(row[0]), int(row[1])

    # --- replay ----------------------------------------------------------------------------------------------

    def replay(self, kiosk_id: str, item: wire.ProvisionalRegistration) -> wire.Replayed:
        """Put one provisional registration into the queue (idempotent); see the module docstring for the rules."""
        patient_ref: str | None = None
        for attempt in range(3):
            with self._hub.reader() as session:
                known = session.scalars(
                    select(LeaseReplay).where(
                        LeaseReplay.kiosk_id == kiosk_id, LeaseReplay.idempotency_key == item.idempotency_key
                    )
                ).first()
                if known is not None:
                    return self._answer(item, known.ticket_id, ReplayOutcome(known.outcome), False)
            patient_ref = patient_ref or self._patient_ref(item)
            try:
                placement = self._place(kiosk_id, item, patient_ref)
                break
            except IntegrityError:
                # Another hub process replayed the same entry, or issued this patient's ticket, meanwhile.
                if attempt == 2:
                    raise
        recheck = placement.newly_placed and item.entitlement is not None and item.visit_type == VisitType.BHYT
        if recheck and item.entitlement is not None:
            # The card was never checked (the hub was unreachable): the BHXH re-checker asks the gateway later.
            self._hub.entitlement.queue_recheck(item.entitlement.model_copy(update={"patient_id": patient_ref}))
        return self._answer(item, placement.ticket_id, placement.outcome, recheck)

    def _patient_ref(self, item: wire.ProvisionalRegistration) -> str | None:
        if item.patient_id is not None:
            return item.patient_id
        if item.patient is None:
            return None
        patient, _created = self._hub.reception.register_patient(item.patient)  # registering twice returns the first
        return patient.id

    def _place(self, kiosk_id: str, item: wire.ProvisionalRegistration, patient_ref: str | None) -> _Placement:
        with self._hub.writer() as session:
            lease = self._lease_of(session, kiosk_id, item)
            ticket, outcome = self._existing(session, kiosk_id, item, patient_ref)
            if ticket is None:
                ticket = self._insert(session, kiosk_id, item, patient_ref)
                outcome = ReplayOutcome.PLACED
            elif outcome is ReplayOutcome.RENUMBERED:
                ticket.number = item.number  # the patient holds this number on paper; the hub's never left it
            if ticket.kiosk_id != kiosk_id:  # merged into the patient's ticket from another kiosk: it may read it
                grant_tickets(session, [(ticket.id, kiosk_id)], "replay", self._hub.clock())
            session.add(
                LeaseReplay(
                    id=str(uuid.uuid4()),
                    kiosk_id=kiosk_id,
                    idempotency_key=item.idempotency_key,
                    lease_id=lease.id,
                    provisional_number=item.number,
                    ticket_id=ticket.id,
                    outcome=outcome.value,
                    replayed_at=self._hub.clock(),
                )
            )
            session.commit()
            return _Placement(ticket.id, outcome, outcome is ReplayOutcome.PLACED)

    @staticmethod
    def _lease_of(session: Session, kiosk_id: str, item: wire.ProvisionalRegistration) -> NumberLease:
        lease = session.scalars(
            select(NumberLease).where(
                NumberLease.kiosk_id == kiosk_id,
                NumberLease.department_id == item.department_id,
                NumberLease.day == item.day,
                NumberLease.lane == item.lane.value,
                NumberLease.first_number <= item.number,
                NumberLease.last_number >= item.number,
            )
        ).first()
        if lease is None:
            raise not_in_lease()
        return lease

    @staticmethod
    def _existing(
        session: Session, kiosk_id: str, item: wire.ProvisionalRegistration, patient_ref: str | None
    ) -> tuple[Ticket | None, ReplayOutcome]:
        same_key = session.scalars(
            select(Ticket).where(Ticket.kiosk_id == kiosk_id, Ticket.idempotency_key == item.idempotency_key)
        ).first()
        if same_key is not None:
            # The kiosk gave up waiting while the hub did issue it: that ticket moves to the printed number.
            movable = same_key.status == TicketStatus.WAITING and same_key.lane == item.lane.value
            return same_key, ReplayOutcome.RENUMBERED if movable else ReplayOutcome.MERGED
        if patient_ref is None:
            return None, ReplayOutcome.PLACED
        same_patient = session.scalars(
            select(Ticket).where(
                Ticket.patient_ref == patient_ref,
                Ticket.department_id == item.department_id,
                Ticket.day == item.day,
                Ticket.status != TicketStatus.CANCELLED,
            )
        ).first()
        return same_patient, ReplayOutcome.MERGED

    def _insert(
        self, session: Session, kiosk_id: str, item: wire.ProvisionalRegistration, patient_ref: str | None
    ) -> Ticket:
        department = self._catalog.department(item.department_id)
        if department is None:
            raise errors.not_found("department")
        rooms = [r.id for r in department.rooms]
        order = api_wire.TicketRequest(
            department_id=item.department_id,
            patient_id=patient_ref,
            lane=item.lane,
            priority_reasons=item.priority_reasons,
            visit_type=item.visit_type,
        )
        ticket = Ticket(
            id=str(uuid.uuid4()),
            public_token=secrets.token_urlsafe(24),
            department_id=item.department_id,
            day=item.day,
            lane=item.lane.value,
            number=item.number,
            room_id=rooms[(item.number - 1) % len(rooms)] if rooms else None,
            patient_ref=patient_ref,
            visit_type=item.visit_type.value,
            priority_reasons=",".join(sorted(set(item.priority_reasons))),
            status=TicketStatus.WAITING.value,
            issued_at=item.issued_at,
            kiosk_id=kiosk_id,
            idempotency_key=item.idempotency_key,
            request_fingerprint=IssueRequest(kiosk_id, item.idempotency_key, order).fingerprint(),
        )
        session.add(ticket)
        session.flush()
        # Announced like an online ticket (event, visit to open in the HIS), in the replay's transaction.
        self._hub.feed.issued(session.connection(), [(IssueRequest(kiosk_id, item.idempotency_key, order), ticket)])
        return ticket

    def _answer(
        self, item: wire.ProvisionalRegistration, ticket_id: str, outcome: ReplayOutcome, recheck: bool
    ) -> wire.Replayed:
        return wire.Replayed(
            idempotency_key=item.idempotency_key,
            outcome=outcome,
            provisional_number=item.number,
            ticket=self._hub.queue.get(ticket_id),
            recheck_queued=recheck,
        )
