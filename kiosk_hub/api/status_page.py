"""The public ticket status page the ticket's QR opens: number, department, room, position; no personal data.

The page follows its ticket live (`kiosk_hub/calling/phone.py` streams its changes; `/static/status.js`, a few
lines without a framework, shows them and vibrates the phone when the number is called); without script it reloads
every 30 seconds."""

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
<noscript><meta http-equiv="refresh" content="30"></noscript>
<title>{title}</title>
<link rel="stylesheet" href="/static/status.css"><script src="/static/status.js" defer></script></head>
<body data-events="/t/{token}/events"><main>
<h1>{hospital}</h1>
<div id="banner" class="banner" hidden></div>
<p id="department">{department_vi}<br><span class="en">{department_en}</span></p>
<div class="num" id="number">{number}</div>
<p class="state" id="state">{state_vi}<br><span class="en">{state_en}</span></p>
<dl id="details">{details}</dl>
<p class="en" id="live">Cập nhật mỗi 30 giây · Refreshes every 30 seconds</p>
</main></body></html>
"""


_STATES = {
    TicketStatus.CALLED: ("Đã đến lượt — mời vào phòng khám", "It is your turn — please go to the room"),
    TicketStatus.SERVING: ("Đang khám", "Being seen"),
    TicketStatus.SERVED: ("Đã khám xong", "Done"),
    TicketStatus.SKIPPED: ("Bạn vắng khi được gọi — sẽ được gọi lại sau ít lượt", "You missed your call — you will be "
                           "called again soon"),
    TicketStatus.MISSED: ("Bạn đã lỡ lượt — xin hỏi quầy tiếp đón", "You missed your turn — please ask at reception"),
    TicketStatus.CANCELLED: ("Số này đã huỷ", "This ticket was cancelled"),
}  # fmt: skip


def state_words(status: TicketStatus, ahead: int | None) -> tuple[str, str]:
    """What the page says of the ticket, Vietnamese then English."""
    if status in _STATES:
        return _STATES[status]
    return f"Còn {ahead or 0} người trước bạn", f"{ahead or 0} people ahead of you"


def _state(ticket: Ticket) -> tuple[str, str]:
    return state_words(ticket.status, ticket.position)


def render(ticket: Ticket, hospital: str, token: str) -> str:
    state_vi, state_en = _state(ticket)
    details = []
    if ticket.room is not None:
        details.append(
            f"<dt>Phòng · Room</dt><dd>{escape(ticket.room.name.vi)} — {escape(ticket.room.location.vi)}</dd>"
        )
    if ticket.wait_estimate_minutes is not None:
        details.append(
            f'<dt>Ước tính chờ · Estimated wait</dt><dd id="wait">~{ticket.wait_estimate_minutes} phút / min</dd>'
        )
    lane = "Ưu tiên · Priority" if ticket.lane == "priority" else "Thường · Normal"
    details.append(f"<dt>Loại · Lane</dt><dd>{lane}</dd>")
    details.append(f"<dt>Ngày · Day</dt><dd>{ticket.day.strftime('%d/%m/%Y')}</dd>")
    return _PAGE.format(
        title=escape(f"{ticket.display_number} — {ticket.department_name.vi}"),
        token=escape(token),
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
    return HTMLResponse(render(ticket, hub.settings.hospital_name, token))
