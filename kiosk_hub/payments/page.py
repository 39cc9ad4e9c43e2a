"""The public page of a payment (`/p/{token}`, the QR on a desk slip or pay-later ticket): whether the bank has
confirmed it, its ticket once issued, what the desk owes back. No personal data: amounts, references, the number."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from kiosk.domain.payment_state import PaymentState
from kiosk.domain.vietqr import format_vnd
from kiosk_hub.access.principals import Public
from kiosk_hub.payments.models import Payment
from kiosk_hub.payments.wire import Payment as PaymentView
from kiosk_hub.web.deps import HubDep

router = APIRouter(include_in_schema=False)
_S = PaymentState
_STATES = {
    _S.OPENING: ("Đang chờ ngân hàng xác nhận", "Waiting for the bank's confirmation"),
    _S.AWAITING: ("Đang chờ ngân hàng xác nhận", "Waiting for the bank's confirmation"),
    _S.EXPIRED: ("Chưa nhận được tiền", "No payment received yet"),
    _S.ABANDONED: ("Chưa nhận được tiền", "No payment received yet"),
    _S.PAID: ("Đã thanh toán — đang cấp số thứ tự", "Paid — your number is being issued"),
    _S.TICKET_ISSUED: ("Đã thanh toán", "Paid"),
    _S.HELD: ("Số tiền không khớp — vui lòng đến quầy", "The amount does not match — please go to the desk"),
    _S.FAILED: (
        "Không tạo được thanh toán — vui lòng đến quầy thu ngân",
        "No payment was made — please see the cashier",
    ),
    _S.REFUND_DUE: ("Đã nhận tiền — vui lòng đến quầy để được hoàn tiền", "Paid — please go to the desk for a refund"),
}
_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="15">
<title>{reference}</title>
<link rel="stylesheet" href="/static/status.css"></head><body><main>
<h1>{hospital}</h1>
<p class="state" id="state">{state_vi}<br><span class="en">{state_en}</span></p>
<dl>{details}</dl>
<p class="en">Cập nhật mỗi 15 giây · Refreshes every 15 seconds</p>
</main></body></html>
"""


def render(view: PaymentView, hospital: str) -> str:
    state_vi, state_en = _STATES[view.state]
    rows = [
        ("Nội dung chuyển khoản · Transfer memo", escape(view.reference)),
        ("Số tiền · Amount", format_vnd(view.amount_vnd)),
        ("Dịch vụ · Service", escape(view.service_name)),
    ]
    if view.receipt is not None:
        rows.append(("Mã giao dịch ngân hàng · Bank reference", escape(view.receipt.bank_reference)))
    if view.refund_due_vnd:
        rows.append(("Hoàn lại tại quầy · Owed back at the desk", format_vnd(view.refund_due_vnd)))
    if view.ticket is not None:
        ticket = view.ticket
        number = f'<span class="num" id="number">{escape(ticket.display_number)}</span>'
        rows.append(("Số thứ tự · Queue number", f"{number}<br>{escape(ticket.department_name.vi)}"))
        rows.append(
            ("Trạng thái số · Ticket status", f'<a href="{escape(ticket.status_url)}">{escape(ticket.status_url)}</a>')
        )
    details = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return _PAGE.format(
        reference=escape(view.reference),
        hospital=escape(hospital),
        state_vi=state_vi,
        state_en=state_en,
        details=details,
    )


@router.get("/p/{payment_token}", response_class=HTMLResponse, dependencies=[Public])
async def payment_page(payment_token: str, hub: HubDep) -> HTMLResponse:
    view = await run_in_threadpool(_by_token, hub, payment_token)
    if view is None:
        page = "<!doctype html><meta charset=utf-8><p>Không tìm thấy thanh toán · Payment not found</p>"
        return HTMLResponse(page, status_code=404)
    return HTMLResponse(render(view, hub.settings.hospital_name))


def _by_token(hub: HubDep, token: str) -> PaymentView | None:
    book = hub.payments.book
    with book.reader() as session:
        payment = session.scalars(select(Payment).where(Payment.public_token == token[:64])).one_or_none()
        if payment is None:
            return None
        session.expunge(payment)
    return book.view(payment)
