"""The public ticket status page the ticket's QR opens: number, department, room, position; no personal data."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from kiosk_hub.access.principals import Public
from kiosk_hub.db.models import TicketStatus
from kiosk_hub.errors import HubError
from kiosk_hub.web.deps import HubDep
from kiosk_hub.wire import Ticket

router = APIRouter(include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="30">
<title>{title}</title>
<link rel="stylesheet" href="/static/status.css"></head><body><main>
<h1>{hospital}</h1>
<p>{department_vi}<br><span class="en">{department_en}</span></p>
<div class="num">{number}</div>
<p class="state">{state_vi}<br><span class="en">{state_en}</span></p>
<dl>{details}</dl>
<p class="en">Cập nhật mỗi 30 giây · Refreshes every 30 seconds</p>
</main></body></html>
"""


def _state(ticket: Ticket) -> tuple[str, str]:
    if ticket.status is TicketStatus.CALLED:
        return "Đã đến lượt — mời vào phòng khám", "It is your turn — please go to the room"
    if ticket.status is TicketStatus.CANCELLED:
        return "Số này đã huỷ", "This ticket was cancelled"
    ahead = ticket.position or 0
    return f"Còn {ahead} người trước bạn", f"{ahead} people ahead of you"


def render(ticket: Ticket, hospital: str) -> str:
    state_vi, state_en = _state(ticket)
    details = []
    if ticket.room is not None:
        details.append(
            f"<dt>Phòng · Room</dt><dd>{escape(ticket.room.name.vi)} — {escape(ticket.room.location.vi)}</dd>"
        )
    if ticket.wait_estimate_minutes is not None:
        details.append(f"<dt>Ước tính chờ · Estimated wait</dt><dd>~{ticket.wait_estimate_minutes} phút / min</dd>")
    lane = "Ưu tiên · Priority" if ticket.lane == "priority" else "Thường · Normal"
    details.append(f"<dt>Loại · Lane</dt><dd>{lane}</dd>")
    details.append(f"<dt>Ngày · Day</dt><dd>{ticket.day.strftime('%d/%m/%Y')}</dd>")
    return _PAGE.format(
        title=escape(f"{ticket.display_number} — {ticket.department_name.vi}"),
        hospital=escape(hospital),
        department_vi=escape(ticket.department_name.vi),
        department_en=escape(ticket.department_name.en),
        number=escape(ticket.display_number),
        state_vi=state_vi,
        state_en=state_en,
        details="".join(details),
    )


@router.get("/t/{token}", response_class=HTMLResponse, dependencies=[Public])
def ticket_status_page(token: str, hub: HubDep) -> HTMLResponse:
    try:
        ticket = hub.queue.by_public_token(token)
    except HubError:
        page = "<!doctype html><meta charset=utf-8><p>Không tìm thấy số thứ tự · Ticket not found</p>"
        return HTMLResponse(page, status_code=404)
    return HTMLResponse(render(ticket, hub.settings.hospital_name))
