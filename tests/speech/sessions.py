"""Flow sessions standing on each step, with what that step shows (departments, a ticket, a card verdict)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from kiosk.domain.dates import VN_TZ
from kiosk.domain.payment_state import PaymentState
from kiosk.domain.ticket import Lane, VisitType
from kiosk.domain.vietqr import encode_vietqr
from kiosk.flow.fakes import DEMO_DEPARTMENTS, answer_for
from kiosk.flow.records import Bilingual, FeeQuote, IssuedTicket, PaymentRecord
from kiosk.flow.state import Session, Step
from tests.flow.driver import CHIP, PATIENT

ANSWER = answer_for(
    "000", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31), valid_today=True, benefit_percent=80
)
TICKET = IssuedTicket(
    id="T1",
    number=12,
    display_number="0012",
    department_name=Bilingual("Khoa Nội", "Internal Medicine"),
    room_name=Bilingual("Phòng 101", "Room 101"),
    room_location=Bilingual("Tầng 1", "Floor 1"),
    lane=Lane.NORMAL,
    visit=VisitType.BHYT,
    issued_at=datetime(2026, 11, 23, 8, 30, tzinfo=VN_TZ),
    status_url="https://hub.example/t/T1",
    position=3,
    wait_estimate_minutes=20,
    reprint=False,
)
PAYMENT = PaymentRecord(
    id="PAY1",
    reference="KB123456789012",
    state=PaymentState.AWAITING,
    amount_vnd=150_000,
    qr_payload=encode_vietqr("970422", "0123456789", 150_000, "KB123456789012"),
    account_name="BENH VIEN DA KHOA DEMO",
    expires_in_s=600,
    status_url="https://hub.example/p/x",
)
FEE = FeeQuote(payment_required=True, amount_vnd=150_000, service_name="Khám Nội", pay_later=True)
_NOTICES = {
    Step.ENTITLEMENT_PROBLEM: "entitlement.card_expired",
    Step.HUB_FAILED: "hub.unavailable",
    Step.SCREEN_TICKET: "printer.failed",
}


def session_at(step: Step, language: str = "vi") -> Session:
    """A session on `step` as the flow would leave it (the patient from the flow tests, a Khoa Nội ticket)."""
    base = Session(language=language, identity=CHIP, patient=PATIENT, entitlement=ANSWER, departments=DEMO_DEPARTMENTS)
    if step in (Step.OPENING_PAYMENT, Step.PAYING):  # a fee-paying visit with its payment open
        base = replace(base, fee=FEE, payment=PAYMENT, payment_deadline=600.0)
        return replace(base, step=step, visit=VisitType.FEE, department_id="NOI")
    return replace(
        base,
        step=step,
        visit=VisitType.BHYT,
        department_id="NOI",
        ticket=TICKET if step in (Step.DONE, Step.SCREEN_TICKET, Step.PRINTING) else None,
        printed=step in (Step.DONE, Step.DESK),
        notice_key=_NOTICES.get(step),
    )
