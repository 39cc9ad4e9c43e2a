"""Kiosk HIS API v1: the exam fee (quote, pay by VietQR, wait for the bank, give up, pay later), and the payment
gateway's callback (anonymous, believed only with the gateway's signature)."""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from kiosk_hub import errors
from kiosk_hub.access.principals import KioskPrincipal, stated
from kiosk_hub.payments import wire
from kiosk_hub.payments.desk import PaymentDesk
from kiosk_hub.payments.gateway import ForgedCallbackError, MalformedCallbackError
from kiosk_hub.payments.models import SETTLED
from kiosk_hub.web.deps import HubDep, problems

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])
log = logging.getLogger("kiosk_hub.payments")
MAX_WAIT_SECONDS = 25.0
# Other hub processes settle payments too: a waiting request reads the store this often besides its own bell.
READ_EVERY_SECONDS = 0.25


@router.post("/quote", response_model=wire.FeeQuote, responses=problems())
async def quote(body: wire.FeeQuestion, hub: HubDep, _kiosk: KioskPrincipal) -> wire.FeeQuote:
    """What this visit costs at the kiosk, shown before the patient commits (the HIS's price, else the hospital's
    price list; nothing for BHYT, exempt patients, or when the hub takes no payments)."""
    return await run_in_threadpool(hub.payments.book.quote, body)


@router.post(
    "",
    response_model=wire.Payment,
    status_code=201,
    responses={
        200: {"model": wire.Payment, "description": "the payment of an earlier request with this key"},
        **problems(400, 409, 503),
    },
)
async def open_payment(
    body: wire.PaymentRequest,
    hub: HubDep,
    kiosk: KioskPrincipal,
    idempotency_key: str | None = Header(
        default=None, alias="Idempotency-Key", description="required; a retry answers the same payment"
    ),
) -> Response:
    """Open the exam fee's payment: stored first, then the gateway's VietQR, checked to pay the hospital's account."""
    if not idempotency_key or len(idempotency_key) > 128:
        raise errors.idempotency_key_required()
    book = hub.payments.book
    if not book.enabled:
        raise errors.payments_off()
    fee = None
    if await run_in_threadpool(book.existing, kiosk, idempotency_key, body) is None:
        question = wire.FeeQuestion(
            department_id=body.department_id, room_id=body.room_id, priority_reasons=body.priority_reasons
        )
        fee = await run_in_threadpool(
            book.fees.quote, question.department_id, question.visit_type, question.room_id, question.priority_reasons
        )
    payment_id, existed = await hub.write(book.begin, kiosk, idempotency_key, body, fee)
    await book.open(payment_id)
    answer = await run_in_threadpool(_view, hub.payments, payment_id, kiosk)
    return Response(answer.model_dump_json(), status_code=200 if existed else 201, media_type="application/json")


def _view(desk: PaymentDesk, payment_id: str, kiosk: str | None) -> wire.Payment:
    return desk.book.view(desk.book.owned(payment_id, kiosk))


@router.get("/{payment_id}", response_model=wire.Payment, responses=problems(404))
async def read_payment(
    payment_id: str,
    hub: HubDep,
    kiosk: KioskPrincipal,
    wait: float = Query(default=0, ge=0, le=MAX_WAIT_SECONDS, description="seconds to wait for a change"),
    seen: str | None = Query(default=None, max_length=16, description="the state the kiosk shows now"),
) -> wire.Payment:
    """The payment now; with `wait`, answered as soon as its state is other than `seen` (or it is settled)."""
    deadline = time.monotonic() + wait
    while True:
        answer = await run_in_threadpool(_view, hub.payments, payment_id, kiosk)
        left = deadline - time.monotonic()
        if left <= 0 or answer.state in SETTLED or (seen is not None and answer.state != seen):
            return answer
        await hub.payments.bell.wait(payment_id, min(left, READ_EVERY_SECONDS))


@router.post("/{payment_id}/abandon", response_model=wire.Payment, responses=problems(404))
async def abandon(payment_id: str, hub: HubDep, kiosk: KioskPrincipal) -> wire.Payment:
    """The patient cancelled or the kiosk's countdown ran out; money still on its way settles it later."""
    await hub.write(hub.payments.book.abandon, payment_id, kiosk)
    return await run_in_threadpool(_view, hub.payments, payment_id, kiosk)


@router.post("/{payment_id}/pay-later", response_model=wire.Payment, responses=problems(404, 409))
async def pay_later(payment_id: str, hub: HubDep, kiosk: KioskPrincipal) -> wire.Payment:
    """The ticket now, the payment from a phone later (the QR printed on the ticket), where the hospital allows it."""
    desk = hub.payments
    if await hub.write(desk.book.choose_pay_later, payment_id, kiosk):
        await hub.write(desk.settler.ensure_ticket, payment_id)
    return await run_in_threadpool(_view, desk, payment_id, kiosk)


@router.post("/callback/payos", include_in_schema=False, dependencies=[stated("gateway-signature")])
async def payos_callback(request: Request, hub: HubDep) -> JSONResponse:
    """payOS's webhook. No bearer token: only the checksum key's signature makes it believed."""
    desk = hub.payments
    if desk.gateway is None or desk.gateway.name != "payos":
        raise errors.not_found("payment_gateway")
    body = await request.body()
    try:
        await desk.callback(body)
    except ForgedCallbackError:
        log.warning("payment callback refused: not signed with the checksum key")
        raise errors.bad_signature() from None
    except MalformedCallbackError as exc:
        log.warning("payment callback refused: %s", exc)
        raise errors.HubError(400, "bad_callback", "The callback is not the gateway's documented shape") from None
    return JSONResponse({"success": True})
