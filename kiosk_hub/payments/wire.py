"""Wire models of the payment routes of the Kiosk HIS API (part of docs/openapi.json)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from kiosk.domain.payment_state import PaymentState
from kiosk.domain.priority import PriorityReason
from kiosk.domain.ticket import Lane, VisitType
from kiosk_hub.wire import Ticket, Wire

DepartmentId = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class FeeQuestion(Wire):
    department_id: DepartmentId
    room_id: Annotated[str, StringConstraints(max_length=32)] | None = None
    visit_type: VisitType = VisitType.FEE
    priority_reasons: list[PriorityReason] = Field(default_factory=list, max_length=6)


class FeeQuote(Wire):
    """What the patient is asked to pay at the kiosk, shown before they commit."""

    payment_required: bool = Field(description="true: the kiosk takes the fee by VietQR before the ticket")
    amount_vnd: int | None = Field(description="the exam fee in dong; null when unknown (the cashier takes it)")
    service_name: str | None = Field(description="the exam as the e-invoice names it, e.g. 'Khám Nội'")
    source: str | None = Field(description="his | price_list | bhyt | exempt")
    reason: str | None = Field(
        description="why no payment: payments_off, fee_unknown (the cashier takes it), bhyt, exempt, free"
    )
    pay_later: bool = Field(description="the patient may take the ticket now with the QR on it and pay from a phone")


class PaymentRequest(Wire):
    """The ticket the payment buys, as a ticket request would ask for it."""

    department_id: DepartmentId
    patient_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    room_id: Annotated[str, StringConstraints(max_length=32)] | None = None
    lane: Lane = Lane.NORMAL
    priority_reasons: list[PriorityReason] = Field(default_factory=list, max_length=6)


class PaymentReceipt(Wire):
    """What the bank confirmed: only ever filled from a transfer whose callback or poll answer was signed."""

    amount_vnd: int
    bank_reference: str = Field(description="the bank's transaction reference, as on the bank statement")
    paid_at: datetime


class Payment(Wire):
    id: str
    reference: str = Field(description="the transfer memo (VietQR 62/08), e.g. 'KB250101000123'")
    state: PaymentState
    amount_vnd: int
    service_name: str
    qr_payload: str | None = Field(description="the NAPAS VietQR to show; null until the gateway opened it")
    account_name: str | None = Field(description="the hospital's account name the patient's bank app will show")
    bank_bin: str | None
    expires_at: datetime = Field(description="the kiosk's countdown ends (money still arriving settles it later)")
    expires_in_seconds: int = Field(description="seconds left by the hub's clock (the kiosk counts down from it)")
    status_url: str = Field(description="the public page of this payment (and of its ticket, once issued)")
    pay_later: bool
    paid_late: bool
    receipt: PaymentReceipt | None
    refund_due_vnd: int = Field(description="money the desk owes back (a second transfer, a wrong amount)")
    ticket: Ticket | None
