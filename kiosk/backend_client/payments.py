"""The Kiosk HIS API's payment calls (`/api/v1/payments`), on the HIS client's connection, timeouts and errors.

Opening is idempotent (the ticket order's key), so it is retried like the ticket order; waiting for the bank is a
long poll the hub answers as soon as the payment changes. Whether money arrived is only ever what the hub says.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

import httpx

from kiosk.backend_client import payment_wire as wire
from kiosk.backend_client.client import HisClient
from kiosk.backend_client.mapping import ticket
from kiosk.domain.payment_state import PaymentState
from kiosk.domain.ticket import PaymentLine, TicketError, VisitType
from kiosk.flow.records import FeeQuote, PaymentRecord, TicketOrder

WAIT_S = 20.0  # the hub answers a long poll after this long at most
_PAID = frozenset({PaymentState.PAID, PaymentState.TICKET_ISSUED})


class PaymentClient:
    def __init__(self, his: HisClient, *, wait_s: float = WAIT_S) -> None:
        self._his = his
        self._wait_s = wait_s

    async def quote(self, department_id: str, visit: VisitType, priority_reasons: tuple[str, ...]) -> FeeQuote:
        body = wire.FeeQuestion(
            department_id=department_id, visit_type=visit.value, priority_reasons=list(priority_reasons)
        )
        answer = await self._his.call("POST", "/api/v1/payments/quote", wire.FeeQuote, json=body, idempotent=True)
        return FeeQuote(
            payment_required=answer.payment_required and bool(answer.amount_vnd),
            amount_vnd=answer.amount_vnd,
            service_name=answer.service_name,
            pay_later=answer.pay_later,
            reason=answer.reason,
        )

    async def open_payment(self, order: TicketOrder) -> PaymentRecord:
        body = wire.PaymentRequest(
            department_id=order.department_id,
            patient_id=order.patient_id,
            lane=order.lane.value,
            priority_reasons=list(order.priority_reasons),
        )
        headers = {"Idempotency-Key": order.idempotency_key}
        answer = await self._his.call(
            "POST", "/api/v1/payments", wire.Payment, json=body, headers=headers, idempotent=True
        )
        return payment(answer)

    async def watch_payment(self, payment_id: str, seen: PaymentState) -> PaymentRecord:
        path = f"/api/v1/payments/{quote(payment_id, safe='')}?wait={self._wait_s:g}&seen={seen.value}"
        deadline = httpx.Timeout(self._wait_s + 10, connect=2.0)
        return payment(await self._his.call("GET", path, wire.Payment, idempotent=True, deadline=deadline))

    async def pay_later(self, payment_id: str) -> PaymentRecord:
        path = f"/api/v1/payments/{quote(payment_id, safe='')}/pay-later"
        return payment(await self._his.call("POST", path, wire.Payment, idempotent=True))

    async def abandon_payment(self, payment_id: str) -> None:
        path = f"/api/v1/payments/{quote(payment_id, safe='')}/abandon"
        await self._his.call("POST", path, wire.Payment, idempotent=True)


def payment(answer: wire.Payment) -> PaymentRecord:
    """The hub's payment as the flow sees it. The ticket carries the payment line printed on it: paid (with the
    bank's reference) only when the hub says the bank confirmed it; else the fee due and the QR to pay it."""
    state = PaymentState(answer.state)
    receipt = answer.receipt if state in _PAID else None
    issued = None
    if answer.ticket is not None:
        issued = ticket(answer.ticket)
        try:
            line = PaymentLine(
                amount_vnd=receipt.amount_vnd if receipt else answer.amount_vnd,
                reference=answer.reference,
                bank_reference=receipt.bank_reference if receipt else None,
                vietqr=None if receipt else answer.qr_payload,
                account_name=answer.account_name or "",
            )
        except TicketError:
            line = None
        issued = replace(issued, payment=line)
    return PaymentRecord(
        id=answer.id,
        reference=answer.reference,
        state=state,
        amount_vnd=answer.amount_vnd,
        qr_payload=answer.qr_payload,
        account_name=answer.account_name or "",
        expires_in_s=answer.expires_in_seconds,
        status_url=answer.status_url,
        pay_later=answer.pay_later,
        bank_reference=receipt.bank_reference if receipt else None,
        ticket=issued,
    )
