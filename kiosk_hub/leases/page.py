"""The page a provisional ticket's QR opens: `/t/k/{lease_id}/{key_hash}`.

The kiosk prints it while the hub is unreachable, so it cannot carry the hub's public ticket token. It names the
lease block the number came from and a hash of the registration's idempotency key (no personal data, nothing the
hub's API would accept). Before the kiosk's journal reaches the hub the page says the ticket is not received yet
(and refreshes); once replayed it redirects to the ticket's own status page (the patient's other ticket if merged).
"""

from __future__ import annotations

import hashlib
import re

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from kiosk_hub.access.principals import Public
from kiosk_hub.leases.models import LeaseReplay, NumberLease
from kiosk_hub.web.deps import HubDep

router = APIRouter(include_in_schema=False)
_HASH = re.compile(r"[0-9a-f]{32}")
_NOT_FOUND = "<!doctype html><meta charset=utf-8><p>Không tìm thấy số thứ tự · Ticket not found</p>"
_WAITING = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="30">
<title>Số tạm · Provisional number</title>
<link rel="stylesheet" href="/static/status.css"></head>
<body><main>
<h1>Số tạm · Provisional number</h1>
<p>Hệ thống chưa nhận được số này từ máy lấy số. Số của bạn vẫn giữ nguyên; vui lòng xác nhận tại quầy tiếp đón.</p>
<p class="en">Not yet received from the kiosk. Your number stands; please confirm it at the reception desk.</p>
<p class="en">Cập nhật mỗi 30 giây · Refreshes every 30 seconds</p>
</main></body></html>
"""


def key_hash(idempotency_key: str) -> str:
    """The hash printed in the QR (the kiosk computes the same, `kiosk.offline.provisional.key_hash`)."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


@router.get("/t/k/{lease_id}/{hashed}", response_class=HTMLResponse, dependencies=[Public])
def provisional_ticket_page(lease_id: str, hashed: str, hub: HubDep) -> Response:
    if not _HASH.fullmatch(hashed) or len(lease_id) > 36:
        return HTMLResponse(_NOT_FOUND, status_code=404)
    with hub.reader() as session:
        if session.get(NumberLease, lease_id) is None:
            return HTMLResponse(_NOT_FOUND, status_code=404)
        # A block holds at most 60 numbers: hashing its replayed keys is cheaper than another indexed column.
        replays = session.execute(
            select(LeaseReplay.idempotency_key, LeaseReplay.ticket_id).where(LeaseReplay.lease_id == lease_id)
        ).all()
    ticket_id = next((t for key, t in replays if key_hash(key) == hashed), None)
    if ticket_id is None:
        return HTMLResponse(_WAITING)
    return RedirectResponse(hub.queue.get(ticket_id).status_url, status_code=303)
