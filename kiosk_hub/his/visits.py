"""Opening, cancelling and closing tickets' visits in the HIS, from the queue `his_visits` (written with each
ticket, in its transaction): the patient has their number whether or not the HIS answers.

A round claims due visits (a lease on the row: one hub process works a visit at a time), asks the HIS, and records
the answer with its outbox event. A visit that got no usable answer (timeout, 5xx, connection refused, nonsense)
is tried again with backoff under the same `visit_ref`, which the HIS treats as one visit: an opening that timed
out but did happen is answered, not repeated, on the next try. A refusal, or no answer for a day, marks it failed
(`visit.failed`: the desk opens it by hand).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.priority import PriorityReason
from kiosk.domain.ticket import Lane, VisitType, display_number
from kiosk_hub.db.engine import as_utc
from kiosk_hub.db.models import Ticket
from kiosk_hub.events.outbox import EventType, record_event, subject_of
from kiosk_hub.his import contract as c
from kiosk_hub.his.models import EntitlementCheck, HisVisit, VisitGoal
from kiosk_hub.his.port import HisError, HisRefusedError, HisUnavailableError
from kiosk_hub.his.reception import Reception

log = logging.getLogger("kiosk_hub.his.visits")
GIVE_UP_AFTER = timedelta(hours=24)
MAX_BACKOFF = timedelta(seconds=60)


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s … up to a minute: a HIS that is back sees its visits within a minute."""
    return min(timedelta(seconds=2 ** max(0, attempts - 1)), MAX_BACKOFF)


@dataclass(frozen=True)
class VisitWork:
    visit: HisVisit
    ticket: Ticket


@dataclass(frozen=True)
class VisitOutcome:
    visit_ref: str
    done: str  # what the HIS now holds: "open", "cancelled", "closed"
    opened: c.OpenedVisit | None = None


class VisitDispatcher:
    def __init__(
        self,
        reception: Reception,
        reader: sessionmaker[Session],
        writer: sessionmaker[Session],
        clock: Callable[[], datetime],
        lease: timedelta,
        on_opened: Callable[[c.VisitOpening, c.OpenedVisit], None] | None = None,
    ) -> None:
        self._reception = reception
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._lease = lease
        self._on_opened = on_opened or (lambda _opening, _opened: None)

    def run_round(self, limit: int = 32) -> int:
        """Work the due visits once; the number the HIS confirmed. The HIS is asked visit by visit, the answers are
        recorded together (one commit, one fsync, for the round). Blocking: run it on a worker thread."""
        results: list[tuple[VisitWork, VisitOutcome | HisError]] = []
        away: HisUnavailableError | None = None
        for work in self._claim(limit):
            if away is not None:  # the HIS did not answer the last one: the rest wait their backoff unasked
                results.append((work, away))
                continue
            try:
                results.append((work, self._work(work)))
            except HisUnavailableError as exc:
                away = exc
                results.append((work, exc))
            except HisError as exc:
                results.append((work, exc))
        if not results:
            return 0
        now = self._clock()
        with self._writer() as session:
            for work, result in results:
                visit = session.get(HisVisit, work.visit.id)
                assert visit is not None  # visits are never deleted while being worked
                if isinstance(result, HisRefusedError):
                    self._give_up(session, work, visit, result.code, now)
                elif isinstance(result, HisError):
                    self._retry(session, work, visit, type(result.__cause__ or result).__name__, now)
                else:
                    self._record(session, work, visit, result, now)
            session.commit()
        return sum(isinstance(result, VisitOutcome) for _, result in results)

    def due(self) -> bool:
        """A cheap read: is there a visit to work now (claims are writes, so a round starts only then)?"""
        now = self._clock()
        with self._reader() as session:
            return session.scalars(self._due_query(now).limit(1)).first() is not None

    def _due_query(self, now: datetime):  # type: ignore[no-untyped-def]
        return select(HisVisit).where(
            HisVisit.goal != HisVisit.done,
            HisVisit.failed.is_(False),
            HisVisit.next_attempt_at <= now,
            or_(HisVisit.claimed_until.is_(None), HisVisit.claimed_until < now),
        )

    def _claim(self, limit: int) -> list[VisitWork]:
        now = self._clock()
        with self._writer() as session:
            query = self._due_query(now).order_by(HisVisit.next_attempt_at).limit(limit)
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)  # two hub processes never claim the same visit
            visits = list(session.scalars(query))
            for visit in visits:
                visit.claimed_until = now + self._lease
                visit.attempts += 1
            tickets = {
                t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_([v.ticket_id for v in visits])))
            }
            session.commit()
        return [VisitWork(v, tickets[v.ticket_id]) for v in visits if v.ticket_id in tickets]

    def _work(self, work: VisitWork) -> VisitOutcome:
        visit, adapter = work.visit, self._reception.adapter
        change = c.VisitChange(reason="")
        if visit.goal == VisitGoal.CANCELLED and visit.done == "" and visit.attempts <= 1:
            return VisitOutcome(visit.id, VisitGoal.CANCELLED)  # never asked to open: nothing to cancel
        opened = None
        if visit.done == "" and visit.goal != VisitGoal.CANCELLED:
            opening = self._opening(work)
            opened = adapter.open_visit(opening)
            self._on_opened(opening, opened)
        if visit.goal == VisitGoal.CANCELLED:
            change = c.VisitChange(reason="Bệnh nhân hủy số")
            adapter.cancel_visit(visit.id, change)  # also when an opening may have happened unanswered
        elif visit.goal == VisitGoal.CLOSED:
            adapter.close_visit(visit.id, change)
        return VisitOutcome(visit.id, visit.goal, opened)

    def _opening(self, work: VisitWork) -> c.VisitOpening:
        visit, ticket = work.visit, work.ticket
        reasons = [r for r in ticket.priority_reasons.split(",") if r]
        return c.VisitOpening(
            visit_ref=visit.id,
            patient_id=self._reception.resolve(visit.patient_ref),
            department_id=ticket.department_id,
            room_id=ticket.room_id,
            visit_type=VisitType(ticket.visit_type),
            priority=ticket.lane == Lane.PRIORITY,
            priority_reasons=[PriorityReason(r) for r in reasons],
            queue_number=ticket.number,
            display_number=display_number(ticket.lane, ticket.number),
            ticket_id=ticket.id,
            arrived_at=as_utc(ticket.issued_at),
            appointment_code=visit.appointment_code,
            entitlement=self._entitlement(visit.patient_ref),
        )

    def _entitlement(self, patient_ref: str) -> c.EntitlementRecord | None:
        with self._reader() as session:
            row = session.scalars(
                select(EntitlementCheck)
                .where(EntitlementCheck.patient_ref == patient_ref)
                .order_by(EntitlementCheck.checked_at.desc())
                .limit(1)
            ).first()
        return c.EntitlementRecord.model_validate_json(row.record) if row else None

    def _record(self, session: Session, work: VisitWork, visit: HisVisit, outcome: VisitOutcome, now: datetime) -> None:
        if outcome.opened is not None:
            visit.visit_code = outcome.opened.visit_code
            visit.his_patient_id = outcome.opened.patient_id
            self._announce(session, EventType.VISIT_OPENED, work, visit, now)
        if outcome.done != VisitGoal.OPEN:
            kind = EventType.VISIT_CANCELLED if outcome.done == VisitGoal.CANCELLED else EventType.VISIT_CLOSED
            self._announce(session, kind, work, visit, now)
        visit.done = outcome.done
        visit.claimed_until = None
        visit.last_error = None
        visit.next_attempt_at = now  # if the goal changed meanwhile, the next round acts on it

    def _announce(self, session: Session, kind: EventType, work: VisitWork, visit: HisVisit, now: datetime) -> None:
        record_event(
            session,
            kind,
            subject=subject_of(visit.patient_ref, visit.ticket_id),
            data={
                "visit_ref": visit.id,
                "visit_code": visit.visit_code,
                "ticket_id": visit.ticket_id,
                "patient_ref": visit.his_patient_id or visit.patient_ref,
                "department_id": work.ticket.department_id,
                "room_id": work.ticket.room_id,
                "attempts": visit.attempts,
                "error": visit.last_error,
            },
            occurred_at=now,
        )

    def _retry(self, session: Session, work: VisitWork, visit: HisVisit, reason: str, now: datetime) -> None:
        if now - as_utc(work.visit.created_at) > GIVE_UP_AFTER:
            self._give_up(session, work, visit, f"no answer for a day ({reason})", now)
            return
        log.info("visit %s: HIS gave no usable answer (%s), retry %d", visit.id, reason, visit.attempts)
        visit.claimed_until = None
        visit.last_error = reason[:200]
        visit.next_attempt_at = now + backoff(visit.attempts)

    def _give_up(self, session: Session, work: VisitWork, visit: HisVisit, reason: str, now: datetime) -> None:
        log.error("visit %s: given up (%s); the desk opens it by hand", visit.id, reason)
        visit.failed = True
        visit.claimed_until = None
        visit.last_error = reason[:200]
        self._announce(session, EventType.VISIT_FAILED, work, visit, now)
