"""Paying the exam fee, step by step through the pure flow: the price before the patient commits, the QR and its
countdown, the bank's confirmation (and only it) leading to "đã thanh toán", and every way it can go otherwise."""

from __future__ import annotations

from dataclasses import replace

from kiosk.domain.payment_state import PaymentState
from kiosk.domain.ticket import PaymentLine, VisitType
from kiosk.domain.vietqr import encode_vietqr
from kiosk.flow.effects import (
    AbandonPayment,
    CheckPrinter,
    IssueTicket,
    OpenPayment,
    PayPaymentLater,
    PrintDeskSlip,
    PrintTicket,
    QuoteFee,
    SessionWiped,
    WatchPayment,
)
from kiosk.flow.events import (
    Cancel,
    CardRemoved,
    Confirm,
    HubFailed,
    PayLater,
    PaymentChanged,
    PaymentUnknown,
    PrinterChecked,
    TryAgain,
)
from kiosk.flow.records import FeeQuote, PaymentRecord
from kiosk.flow.state import Operation, Step
from tests.flow.driver import Driver
from tests.flow.test_ticketing import at_confirm, issued

FEE = FeeQuote(payment_required=True, amount_vnd=150_000, service_name="Khám Nội")
QR = encode_vietqr("970422", "0123456789", 150_000, "KB123456789012")
P = PaymentState


def payment(state: PaymentState = P.AWAITING, **changes: object) -> PaymentRecord:
    base = PaymentRecord("PAY1", "KB123456789012", state, 150_000, QR, "BENH VIEN DA KHOA DEMO", 600,
                         "https://hub.example/p/x")  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def paid_ticket(bank_reference: str | None = "FT26327AAAA01") -> PaymentRecord:
    line = PaymentLine(150_000, "KB123456789012", bank_reference, None if bank_reference else QR)
    ticket = replace(issued(), visit=VisitType.FEE, payment=line)
    state = P.TICKET_ISSUED if bank_reference else P.AWAITING
    return payment(state, ticket=ticket, bank_reference=bank_reference, pay_later=bank_reference is None)


def quoted(fee: FeeQuote = FEE) -> Driver:
    d = at_confirm(visit=VisitType.FEE, fee=fee)
    (ask,) = [e for e in d.effects if isinstance(e, QuoteFee)]
    assert (ask.department_id, ask.visit) == ("NOI", VisitType.FEE)
    return d


def paying() -> Driver:
    d = quoted()
    assert d.send(Confirm()) == (CheckPrinter(d.gen),)  # the printer first, as for any ticket
    (opening,) = d.send(PrinterChecked(d.gen, printable=True, state="ready"))
    assert isinstance(opening, OpenPayment)
    assert d.step == Step.OPENING_PAYMENT
    assert (d.session.ticket_key, opening.order.idempotency_key) == (opening.order.idempotency_key,) * 2
    assert d.send(PaymentChanged(d.gen, payment())) == (WatchPayment(d.gen, "PAY1", P.AWAITING),)
    assert d.step == Step.PAYING
    return d


def test_the_price_is_asked_for_a_fee_paying_visit_only() -> None:
    assert not any(isinstance(e, QuoteFee) for e in at_confirm(visit=VisitType.BHYT).effects)
    d = quoted()
    assert d.session.fee == FEE
    assert d.session.takes_payment


def test_paid_the_ticket_comes_with_the_banks_reference() -> None:
    d = paying()
    assert d.send(PaymentChanged(d.gen, payment())) == (WatchPayment(d.gen, "PAY1", P.AWAITING),)  # nothing yet
    (printing,) = d.send(PaymentChanged(d.gen, paid_ticket()))
    assert d.step == Step.PRINTING
    assert isinstance(printing, PrintTicket)
    assert printing.ticket.payment is not None
    assert printing.ticket.payment.paid
    assert printing.ticket.payment.bank_reference == "FT26327AAAA01"


def test_paid_but_the_ticket_not_yet_keeps_waiting_past_the_countdown() -> None:
    d = paying()
    d.send(PaymentChanged(d.gen, payment(P.PAID, bank_reference="FT1")))
    assert d.wait(700) == ()
    assert d.step == Step.PAYING


def test_the_countdown_gives_up_prints_the_cashiers_slip_and_tells_the_hub() -> None:
    d = paying()
    assert d.wait(599) == ()  # no idle warning while paying: the patient is at their phone
    assert d.session.idle_warning_since is None
    effects = d.wait(1)
    assert effects[0] == AbandonPayment("PAY1")
    slip = effects[1]
    assert isinstance(slip, PrintDeskSlip)
    assert slip.slip.reason_code == "payment_unconfirmed"
    assert slip.slip.payment == PaymentLine(150_000, "KB123456789012")  # never marked paid
    assert slip.slip.data_qr_payload == "https://hub.example/p/x"
    assert d.step == Step.DESK_SLIP_PRINTING


def test_cancel_while_paying_tells_the_hub() -> None:
    d = paying()
    assert d.send(Cancel()) == (AbandonPayment("PAY1"), SessionWiped())
    assert d.step == Step.HOME


def test_taking_the_card_back_does_not_end_the_payment() -> None:
    d = paying()
    assert d.send(CardRemoved()) == ()
    assert d.step == Step.PAYING


def test_a_held_transfer_sends_the_patient_to_the_cashier() -> None:
    d = paying()
    (slip,) = d.send(PaymentChanged(d.gen, payment(P.HELD)))
    assert isinstance(slip, PrintDeskSlip)
    assert slip.slip.reason_code == "payment_held"


def test_a_bank_that_will_not_open_it_gives_the_ticket_and_the_cashier_the_fee() -> None:
    d = quoted()
    d.send(Confirm())
    d.send(PrinterChecked(d.gen, printable=True, state="ready"))
    (issue,) = d.send(HubFailed(d.gen, Operation.OPEN_PAYMENT, "hub.bank_unavailable"))
    assert isinstance(issue, IssueTicket)
    assert d.session.fee is not None
    assert d.session.fee.reason == "bank_unavailable"
    assert not d.session.takes_payment


def test_a_hub_away_is_tried_again_with_the_same_payment() -> None:
    d = quoted()
    d.send(Confirm())
    (first,) = d.send(PrinterChecked(d.gen, printable=True, state="ready"))
    d.send(HubFailed(d.gen, Operation.OPEN_PAYMENT, "hub.unavailable"))
    assert d.step == Step.HUB_FAILED
    (again,) = d.send(TryAgain())
    assert again == first  # the same key: the hub answers the payment it may already have opened


def test_a_lost_answer_is_asked_again() -> None:
    d = paying()
    assert d.send(PaymentUnknown(d.gen)) == (WatchPayment(d.gen, "PAY1", P.AWAITING),)


def test_pay_later_where_allowed_prints_the_ticket_with_the_qr_and_no_paid_line() -> None:
    d = quoted(replace(FEE, pay_later=True))
    d.send(Confirm())
    d.send(PrinterChecked(d.gen, printable=True, state="ready"))
    d.send(PaymentChanged(d.gen, payment()))
    assert d.send(PayLater()) == (PayPaymentLater(d.gen, "PAY1"),)
    (printing,) = d.send(PaymentChanged(d.gen, paid_ticket(bank_reference=None)))
    assert isinstance(printing, PrintTicket)
    line = printing.ticket.payment
    assert line is not None
    assert not line.paid
    assert line.vietqr == QR


def test_pay_later_is_not_offered_where_the_hospital_does_not_allow_it() -> None:
    d = paying()
    assert d.send(PayLater()) == ()
    assert d.step == Step.PAYING


def test_nothing_to_pay_issues_the_ticket_as_before() -> None:
    d = quoted(FeeQuote(payment_required=False, amount_vnd=None, reason="fee_unknown"))
    d.send(Confirm())
    (issue,) = d.send(PrinterChecked(d.gen, printable=True, state="ready"))
    assert isinstance(issue, IssueTicket)


def test_an_answer_for_a_patient_who_left_changes_nothing() -> None:
    d = paying()
    old = d.gen
    d.send(Cancel())
    assert d.send(PaymentChanged(old, paid_ticket())) == ()
    assert d.step == Step.HOME
