"""Routes of the calls for help: the kiosk's `POST /api/v1/help-calls`, the reception's page (`/fleet/help`, any
console user; staff and admins acknowledge)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kiosk_hub.access.principals import KioskPrincipal, SignedIn, StaffChange
from kiosk_hub.db.engine import as_utc
from kiosk_hub.fleet.console.web import hub_of, render
from kiosk_hub.help import desk
from kiosk_hub.help.wire import HelpCallAnswer, HelpCallRequest
from kiosk_hub.hub import Hub
from kiosk_hub.web.deps import HubDep, problems

api = APIRouter(prefix="/api/v1", tags=["help"])
pages = APIRouter(prefix="/fleet/help", include_in_schema=False)
SHOWN = timedelta(hours=12)  # the reception page lists the calls of the last half day


def _ask(hub: Hub, kiosk_id: str, body: HelpCallRequest) -> HelpCallAnswer:
    with hub.writer() as session:
        call, already_open = desk.ask(session, kiosk_id, body.location, body.screen, hub.clock())
        answer = HelpCallAnswer(id=call.id, asked_at=as_utc(call.asked_at), already_open=already_open)
        session.commit()
    return answer


@api.post("/help-calls", status_code=201, response_model=HelpCallAnswer, responses=problems())
async def call_for_help(body: HelpCallRequest, hub: HubDep, kiosk_id: KioskPrincipal) -> HelpCallAnswer:
    """A patient at this kiosk asked for help: the reception's page shows it with the kiosk's name and location;
    asked again while open, the same call is answered (`already_open`)."""
    return await hub.write(_ask, hub, kiosk_id, body)


@pages.get("")
def help_page(request: Request, user: SignedIn) -> Response:
    hub = hub_of(request)
    now = hub.clock()
    with hub.reader() as session:
        calls = desk.calls(session, now - SHOWN)
    overdue = timedelta(seconds=hub.settings.help_escalate_after_seconds)
    return render(request, "help.html", user=user, calls=calls, now=now, overdue=overdue)


def _acknowledge(hub: Hub, call_id: str, username: str) -> bool:
    with hub.writer() as session:
        found = desk.acknowledge(session, call_id, username, hub.clock())
        session.commit()
    return found


@pages.post("/{call_id}/acknowledge")
async def acknowledge(call_id: str, request: Request, change: StaffChange) -> Response:
    hub = hub_of(request)
    if not await hub.write(_acknowledge, hub, call_id[:36], change.user.username):
        return render(request, "error.html", 404, user=change.user, message_key="error.not_found")
    return RedirectResponse("/fleet/help", status_code=303)
