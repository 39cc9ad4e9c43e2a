"""Paying the exam fee by VietQR before the ticket: the hub opens the payment, the kiosk shows the QR with the
amount, the account name and a countdown, and waits for the hub to say the bank confirmed it.

The kiosk never decides that money arrived: only a hub answer carrying the bank's reference (and the ticket it
bought) moves the patient on to "đã thanh toán". The countdown running out, "Hủy" or the patient leaving tell the
hub (money already on its way still buys the ticket there, or is owed back at the desk) and, when the kiosk gave
up, print a slip with the payment's reference for the cashier. A payment the bank would not open falls back to the
way before: the ticket now, the fee at the cashier.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.domain.payment_state import PaymentState
from kiosk.domain.ticket import DeskSlip, PaymentLine, TicketError
from kiosk.flow.appointments import issue_effect
from kiosk.flow.desk import to_desk
from kiosk.flow.effects import AbandonPayment, Effect, OpenPayment, PayPaymentLater, PrintDeskSlip, WatchPayment
from kiosk.flow.events import Event, HubFailed, PayLater, PaymentChanged, PaymentUnknown
from kiosk.flow.orders import hand_over, order_for
from kiosk.flow.records import PaymentRecord
from kiosk.flow.state import PAYMENT_STEPS, Operation, Session, Step
from kiosk.flow.transition import Context, FlowConfig, Transition

STEPS = PAYMENT_STEPS
BANK_UNAVAILABLE = "hub.bank_unavailable"
_P = PaymentState
_WAITING = frozenset({_P.OPENING, _P.AWAITING, _P.EXPIRED, _P.ABANDONED})
_DESK_REASONS = {_P.HELD: "payment_held", _P.REFUND_DUE: "payment_refund"}


def open_payment(session: Session, ctx: Context, config: FlowConfig) -> Transition:
    """Ask the hub for the payment (the ticket order's key: asked again, the same payment comes back)."""
    key = session.ticket_key or ctx.fresh_key
    order = order_for(session, key)
    if order is None:
        return to_desk(session, "incomplete_session", ctx, config)
    opening = replace(session.at(Step.OPENING_PAYMENT, ctx.now), ticket_key=key)
    return Transition(opening, (OpenPayment(session.generation, order),))


def handle(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, HubFailed):
        return _hub_failed(session, event, ctx, config)
    if isinstance(event, PaymentChanged):
        return changed(session, event.payment, ctx, config)
    payment = session.payment
    if isinstance(event, PaymentUnknown) and payment is not None and session.step == Step.PAYING:
        return Transition(session, (WatchPayment(session.generation, payment.id, payment.state),))
    allowed = session.fee is not None and session.fee.pay_later
    if isinstance(event, PayLater) and session.step == Step.PAYING and payment is not None and allowed:
        busy = session.at(Step.OPENING_PAYMENT, ctx.now)
        return Transition(busy, (PayPaymentLater(session.generation, payment.id),))
    return Transition(session)


def _hub_failed(session: Session, event: HubFailed, ctx: Context, config: FlowConfig) -> Transition:
    if event.message_key == BANK_UNAVAILABLE and session.fee is not None:
        # The bank would not open it: the way before payments, the ticket now and the fee at the cashier.
        fee = replace(session.fee, payment_required=False, reason="bank_unavailable")
        return _issue_unpaid(replace(session, fee=fee), ctx, config)
    failed = replace(session.at(Step.HUB_FAILED, ctx.now), failed_operation=Operation.OPEN_PAYMENT)
    return Transition(replace(failed, notice_key=event.message_key))


def _issue_unpaid(session: Session, ctx: Context, config: FlowConfig) -> Transition:
    order = order_for(session, session.ticket_key or ctx.fresh_key)
    if order is None:
        return to_desk(session, "incomplete_session", ctx, config)
    return Transition(session.at(Step.ISSUING, ctx.now), (issue_effect(session, order),))


def changed(session: Session, payment: PaymentRecord, ctx: Context, config: FlowConfig) -> Transition:
    """What the patient sees next for the hub's answer about the payment."""
    session = replace(session, payment=payment)
    if payment.ticket is not None:  # paid (the bank's reference on it), or to be paid later from a phone
        return hand_over(session, payment.ticket, ctx, config)
    if payment.state in _DESK_REASONS:
        return payment_desk(session, _DESK_REASONS[payment.state], ctx, config)
    if payment.state == _P.FAILED:
        return _hub_failed(
            session, HubFailed(session.generation, Operation.OPEN_PAYMENT, BANK_UNAVAILABLE), ctx, config
        )
    watch = WatchPayment(session.generation, payment.id, payment.state)
    if session.step != Step.PAYING:
        if payment.qr_payload is None:
            return _hub_failed(
                session, HubFailed(session.generation, Operation.OPEN_PAYMENT, BANK_UNAVAILABLE), ctx, config
            )
        paying = replace(session.at(Step.PAYING, ctx.now), payment_deadline=ctx.now + payment.expires_in_s)
        return Transition(paying, (watch,))
    return Transition(session, (watch,))  # still waiting (or paid, its ticket a moment away)


def tick(session: Session, ctx: Context, config: FlowConfig) -> Transition:
    """The countdown: once it runs out with no money confirmed, the kiosk gives up and prints the cashier's slip."""
    payment, deadline = session.payment, session.payment_deadline
    if payment is None or deadline is None or ctx.now < deadline or payment.state not in _WAITING:
        return Transition(session)
    desk = payment_desk(session, "payment_unconfirmed", ctx, config)
    return Transition(desk.session, (AbandonPayment(payment.id), *desk.effects))


def leaving(session: Session) -> tuple[Effect, ...]:
    """What the hub must hear when the patient leaves in the middle of paying (cancel, a wipe)."""
    if session.step in STEPS and session.payment is not None:
        return (AbandonPayment(session.payment.id),)
    return ()


def payment_desk(session: Session, reason: str, ctx: Context, config: FlowConfig) -> Transition:
    """To the cashier with a slip: the reason, the payment's reference and amount, and its status page's QR."""
    payment = session.payment
    assert payment is not None
    moved = replace(session, desk_reason=reason, desk_qr=payment.status_url, printed=False)
    try:
        line = PaymentLine(payment.amount_vnd, payment.reference)
        slip = DeskSlip(config.hospital_name, reason, payment.status_url, ctx.wall, payment=line)
    except TicketError:
        return Transition(moved.at(Step.DESK, ctx.now))  # on screen only: the patient still has the reference
    return Transition(moved.at(Step.DESK_SLIP_PRINTING, ctx.now), (PrintDeskSlip(session.generation, slip),))
