"""What the payment events say (the event feed, docs/his-integration.md): references, amounts, codes and times,
never a name or an ID number.

`payment.paid` is the hand-over to the hospital's e-invoice system (the hub issues no invoice): the seller is the
hospital (its settings there), the line is the exam with its service code, and a medical exam is not subject to VAT
("KCT", Law on VAT 2024 art. 5), so tax is 0 and the total the amount. The buyer is not known at the kiosk:
`buyer_requests_invoice` is false and the line goes into the day's summary invoice unless the patient asks at the
desk, where the HIS has their details under `patient_ref`.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.domain.dates import VN_TZ
from kiosk_hub.db.engine import as_utc
from kiosk_hub.payments.gateway import Transfer
from kiosk_hub.payments.models import Payment

VAT_NOT_SUBJECT = "KCT"  # không chịu thuế: the e-invoice XML's TSuat for services outside VAT
BANK_TRANSFER = "CK"  # chuyển khoản: the e-invoice's HTTToan for a bank transfer


def _local(moment: datetime | None) -> str | None:
    return as_utc(moment).astimezone(VN_TZ).isoformat() if moment else None


def _base(payment: Payment) -> dict[str, object]:
    return {
        "payment_id": payment.id,
        "reference": payment.reference,
        "order_code": payment.order_code,
        "department_id": payment.department_id,
        "kiosk_id": payment.kiosk_id,
    }


def paid_note(payment: Payment) -> dict[str, object]:
    amount = payment.paid_amount_vnd or payment.amount_vnd
    return {
        **_base(payment),
        "invoice_request_id": payment.id,  # the e-invoice system's idempotency key
        "patient_ref": payment.patient_ref,
        "ticket_id": payment.ticket_id,
        "amount_vnd": amount,
        "currency": "VND",
        "paid_at": _local(payment.paid_at),
        "paid_late": payment.paid_late,
        "payment_method": BANK_TRANSFER,
        "provider": payment.provider,
        "provider_ref": payment.provider_ref,
        "bank_reference": payment.bank_reference,
        "buyer_requests_invoice": False,
        "items": [
            {
                "service_code": payment.service_code,
                "service_name": payment.service_name,
                "unit": "Lần",
                "quantity": 1,
                "unit_price_vnd": amount,
                "amount_vnd": amount,
                "vat_rate": VAT_NOT_SUBJECT,
            }
        ],
        "total_before_tax_vnd": amount,
        "vat_vnd": 0,
        "total_vnd": amount,
    }


def ticket_note(payment: Payment) -> dict[str, object]:
    return {**_base(payment), "ticket_id": payment.ticket_id, "pay_later": payment.pay_later}


def held_note(payment: Payment, transfer: Transfer) -> dict[str, object]:
    return {
        **_base(payment),
        "amount_vnd": payment.amount_vnd,
        "transferred_vnd": transfer.amount_vnd,
        "bank_reference": transfer.bank_reference,
    }


def refund_note(payment: Payment, transfer: Transfer | None) -> dict[str, object]:
    return {
        **_base(payment),
        "refund_vnd": payment.refund_due_vnd,
        "reason": payment.refund_reason,
        "bank_reference": transfer.bank_reference if transfer else payment.bank_reference,
    }
