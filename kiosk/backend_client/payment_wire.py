"""The payment routes of the Kiosk HIS API as this client reads and writes them (docs/openapi.json, `payments`)."""

from __future__ import annotations

from datetime import datetime

from kiosk.backend_client.wire import Answer, Request, Ticket


class FeeQuestion(Request):
    department_id: str
    visit_type: str
    priority_reasons: list[str]


class FeeQuote(Answer):
    payment_required: bool
    amount_vnd: int | None = None
    service_name: str | None = None
    reason: str | None = None
    pay_later: bool = False


class PaymentRequest(Request):
    department_id: str
    patient_id: str
    lane: str
    priority_reasons: list[str]


class Receipt(Answer):
    amount_vnd: int
    bank_reference: str
    paid_at: datetime


class Payment(Answer):
    id: str
    reference: str
    state: str
    amount_vnd: int
    qr_payload: str | None = None
    account_name: str | None = None
    expires_in_seconds: int = 0
    status_url: str
    pay_later: bool = False
    receipt: Receipt | None = None
    ticket: Ticket | None = None
