"""What a bank transfer does to a payment, decided once and written before anything is done about it; and the
ticket a paid payment buys.

A transfer is stored once per (gateway, bank reference): a callback sent twice, a poll that finds what a callback
brought, a forged replay of a real callback: all answer the outcome decided the first time and change nothing.
The whole amount into the hospital's account pays a payment that is open (or was given up: paid late). Anything
else is kept and owed back at the desk: a second transfer, another amount (the payment is held, not accepted), money
for a payment of an earlier day. `payment.paid` carries what the hospital's e-invoice system needs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.dates import local_date
from kiosk.domain.payment_state import PaymentState
from kiosk.domain.priority import PriorityReason
from kiosk.domain.ticket import Lane, VisitType
from kiosk_hub import errors, wire
from kiosk_hub.db.models import Ticket
from kiosk_hub.events.outbox import record_event, subject_of
from kiosk_hub.payments.gateway import Transfer
from kiosk_hub.payments.models import PAYABLE, BankTransfer, Payment, TransferOutcome
from kiosk_hub.payments.notes import held_note, paid_note, refund_note, ticket_note
from kiosk_hub.queue.tickets import IssueRequest, QueueBook

log = logging.getLogger("kiosk_hub.payments")
_S, _O = PaymentState, TransferOutcome
ALREADY_PAID = frozenset({_S.PAID, _S.TICKET_ISSUED, _S.REFUND_DUE})


@dataclass(frozen=True)
class Settlement:
    outcome: TransferOutcome
    payment_id: str | None
    replay: bool  # this transfer was known already: nothing changed


class Settler:
    def __init__(
        self,
        queue: QueueBook,
        sessions: tuple[sessionmaker[Session], sessionmaker[Session]],
        clock: Callable[[], datetime],
        account_number: str,
    ) -> None:
        self.queue = queue
        self.reader, self.writer = sessions
        self.clock = clock
        self.account_number = account_number  # the hospital's account: money elsewhere is not the hospital's

    def settle(self, provider: str, transfer: Transfer, via: str) -> Settlement:
        for _attempt in range(3):
            known = self._known(provider, transfer.bank_reference)
            if known is not None:
                return known
            with self.writer() as session:
                try:
                    settlement = self._decide(session, provider, transfer, via)
                    session.commit()
                except IntegrityError:
                    session.rollback()  # the same transfer arrived by another path at the same moment
                    continue
            if settlement.outcome is not _O.APPLIED:
                log.warning("bank transfer not applied: %s (via %s)", settlement.outcome.value, via)
            return settlement
        raise RuntimeError("bank transfer insert kept conflicting")

    def _known(self, provider: str, bank_reference: str) -> Settlement | None:
        with self.reader() as session:
            row = session.scalars(
                select(BankTransfer).where(
                    BankTransfer.provider == provider, BankTransfer.bank_reference == bank_reference
                )
            ).one_or_none()
            return Settlement(_O(row.outcome), row.payment_id, replay=True) if row else None

    def _decide(self, session: Session, provider: str, transfer: Transfer, via: str) -> Settlement:
        now = self.clock()
        payment = None
        if transfer.order_code is not None:
            # Locked on PostgreSQL: two transfers for one payment in two hub processes are decided one after the other.
            payment = session.scalars(
                select(Payment).where(Payment.order_code == transfer.order_code).with_for_update()
            ).one_or_none()
        outcome = self._outcome(payment, transfer)
        session.add(
            BankTransfer(
                provider=provider,
                bank_reference=transfer.bank_reference[:64],
                order_code=transfer.order_code,
                payment_id=payment.id if payment else None,
                amount_vnd=transfer.amount_vnd,
                account_number=transfer.account_number[:32],
                description=transfer.description[:200],
                transferred_at=transfer.transferred_at,
                day=local_date(transfer.transferred_at),
                received_at=now,
                via=via,
                outcome=outcome.value,
                payer_bank=transfer.payer_bank,
                payer_account_last4=transfer.payer_account[-4:] if transfer.payer_account else None,
            )
        )
        if payment is not None:
            self._apply(session, payment, transfer, outcome, now)
        session.flush()  # the unique (provider, reference) is checked here, before the events are written
        return Settlement(outcome, payment.id if payment else None, replay=False)

    def _outcome(self, payment: Payment | None, transfer: Transfer) -> TransferOutcome:
        if payment is None:
            return _O.UNMATCHED
        if self.account_number and transfer.account_number != self.account_number:
            return _O.WRONG_ACCOUNT
        if payment.state in ALREADY_PAID:
            return _O.DUPLICATE
        if payment.state not in PAYABLE or transfer.amount_vnd != payment.amount_vnd:
            return _O.WRONG_AMOUNT
        return _O.APPLIED

    def _apply(
        self, session: Session, payment: Payment, transfer: Transfer, outcome: TransferOutcome, now: datetime
    ) -> None:
        subject = subject_of(payment.patient_ref, payment.ticket_id or payment.id)
        if outcome is _O.APPLIED:
            payment.paid_late = payment.state in (_S.EXPIRED, _S.ABANDONED)
            payment.paid_at, payment.paid_amount_vnd = transfer.transferred_at, transfer.amount_vnd
            payment.bank_reference = transfer.bank_reference
            if local_date(now) != payment.day:  # its ticket was for a day that is over
                payment.state = _S.REFUND_DUE
                self._owe(payment, transfer.amount_vnd, "paid_after_day")
                record_event(
                    session, "payment.refund_due", subject=subject, data=refund_note(payment, transfer), occurred_at=now
                )
                return
            payment.state = _S.TICKET_ISSUED if payment.ticket_id else _S.PAID
            record_event(session, "payment.paid", subject=subject, data=paid_note(payment), occurred_at=now)
        elif outcome in (_O.DUPLICATE, _O.WRONG_AMOUNT):
            reason = "paid_twice" if outcome is _O.DUPLICATE else "wrong_amount"
            self._owe(payment, transfer.amount_vnd, reason)
            if outcome is _O.WRONG_AMOUNT and payment.state in PAYABLE:
                payment.state = _S.HELD
                record_event(
                    session, "payment.held", subject=subject, data=held_note(payment, transfer), occurred_at=now
                )
            record_event(
                session, "payment.refund_due", subject=subject, data=refund_note(payment, transfer), occurred_at=now
            )

    @staticmethod
    def _owe(payment: Payment, amount_vnd: int, reason: str) -> None:
        payment.refund_due_vnd = (payment.refund_due_vnd or 0) + amount_vnd
        payment.refund_reason = reason
        payment.refunded_at = None

    def ensure_ticket(self, payment_id: str) -> str | None:
        """The ticket of a paid payment (or one to pay later), issued once whatever happens: the queue answers a
        second request with the same key with the ticket of the first. None when none is due."""
        with self.reader() as session:
            payment = session.get(Payment, payment_id)
            due = payment is not None and (payment.state == _S.PAID or (payment.pay_later and not payment.ticket_id))
            if payment is None or not due or payment.patient_ref is None:
                return payment.ticket_id if payment else None
            request = _ticket_request(payment)
        try:
            ticket, existing = self.queue.issue(request)
        except errors.HubError as refusal:
            self._no_ticket(payment_id, refusal.code)
            return None
        with self.writer() as session:
            changed = session.execute(
                update(Payment)
                .where(Payment.id == payment_id, Payment.ticket_id.is_(None))
                .values(ticket_id=ticket.id, ticket_issued_at=self.clock())
            ).rowcount  # type: ignore[attr-defined]
            session.execute(
                update(Payment).where(Payment.id == payment_id, Payment.state == _S.PAID).values(state=_S.TICKET_ISSUED)
            )
            if changed:
                paid = session.get(Payment, payment_id)
                assert paid is not None
                record_event(
                    session,
                    "payment.ticket_issued",
                    subject=subject_of(paid.patient_ref, ticket.id),
                    data=ticket_note(paid),
                    occurred_at=self.clock(),
                )
                if existing and paid.paid_at is not None and _held_before(session, ticket.id, request.idempotency_key):
                    self._owe_for_a_held_ticket(session, paid)
            session.commit()
        return ticket.id

    def _owe_for_a_held_ticket(self, session: Session, payment: Payment) -> None:
        """The patient already held today's ticket in this department (the queue handed it back): the number is
        theirs, and the fee just paid is owed back at the desk unless the desk decides otherwise."""
        log.warning("a payment bought a ticket the patient already held: owed back at the desk")
        self._owe_back_at_desk(session, payment, "ticket_held")

    def _owe_back_at_desk(self, session: Session, payment: Payment, reason: str) -> None:
        """What was paid is owed back at the desk, and the HIS and finance are told."""
        self._owe(payment, payment.paid_amount_vnd or payment.amount_vnd, reason)
        record_event(
            session,
            "payment.refund_due",
            subject=subject_of(payment.patient_ref, payment.id),
            data=refund_note(payment, None),
            occurred_at=self.clock(),
        )

    def _no_ticket(self, payment_id: str, code: str) -> None:
        log.warning("a paid payment's ticket was refused (%s): owed back at the desk", code)
        with self.writer() as session:
            payment = session.get(Payment, payment_id)
            if payment is None or payment.state != _S.PAID:
                return
            payment.state = _S.REFUND_DUE
            self._owe_back_at_desk(session, payment, "no_ticket")
            session.commit()


def _held_before(session: Session, ticket_id: str, key: str) -> bool:
    """Whether the queue answered with a ticket issued for another request (the patient's own, held already)."""
    return session.scalar(select(Ticket.idempotency_key).where(Ticket.id == ticket_id)) != key


def _ticket_request(payment: Payment) -> IssueRequest:
    reasons = [PriorityReason(r) for r in payment.priority_reasons.split(",") if r]
    body = wire.TicketRequest(
        department_id=payment.department_id,
        patient_id=payment.patient_ref,
        lane=Lane(payment.lane),
        priority_reasons=reasons,
        visit_type=VisitType.FEE,
    )
    # The key ties the ticket to the payment: however often this runs, the queue keeps one ticket for it.
    return IssueRequest(payment.kiosk_id, f"payment:{payment.id}", body)
