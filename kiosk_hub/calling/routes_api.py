"""The rooms' actions over HTTP, for two callers: a HIS holding an integration credential with the `calling` scope
(JSON under /api/v1), and staff of the department at the console (the calling page posts under /fleet/calling, with
the session's CSRF token). Never a kiosk. Both go through `CallingDesk`, so both obey the same rules."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from kiosk_hub import wire
from kiosk_hub.access.integrations import Integration
from kiosk_hub.access.principals import StaffCaller, integration
from kiosk_hub.access.roles import Scope
from kiosk_hub.access.sessions import ConsoleIdentity
from kiosk_hub.calling.desk import Actor, Transfer
from kiosk_hub.calling.models import RoomState
from kiosk_hub.calling.refusals import CallingRefusedError
from kiosk_hub.calling.wire import RoomStateAnswer, RoomStateRequest, TicketAction, TransferRequest
from kiosk_hub.hub import Hub
from kiosk_hub.web.deps import HubDep, problems

router = APIRouter(tags=["calling"])
HisCaller = Annotated[Integration, integration(Scope.CALLING)]


def his_actor(his: Integration) -> Actor:
    return Actor(f"his:{his.name}")


def staff_actor(user: ConsoleIdentity, department_id: str) -> Actor:
    """An admin, or staff of the whole department, act for every room; staff of some rooms only for those."""
    if user.is_admin or (department_id, None) in user.places:
        return Actor(f"staff:{user.username}")
    return Actor(f"staff:{user.username}", frozenset(r for d, r in user.places if d == department_id and r))


async def perform(hub: Hub, department_id: str, ticket_id: str, action: TicketAction, actor: Actor) -> wire.Ticket:
    desk = hub.calling.desk
    step = {
        TicketAction.RECALL: desk.recall,
        TicketAction.SKIP: desk.skip,
        TicketAction.START: desk.start,
        TicketAction.DONE: desk.done,
    }[action]
    return await hub.write(step, department_id, ticket_id, actor)


# --- a HIS ---------------------------------------------------------------------------------------------------------


@router.post("/api/v1/departments/{department_id}/call-next", response_model=wire.Ticket,
             responses=problems(403, 404, 409))  # fmt: skip
async def call_next(department_id: str, hub: HubDep, his: HisCaller) -> wire.Ticket:
    """Call the department's next ticket by its lane policy (any room). For a HIS holding an integration
    credential with the `calling` scope (`Authorization: Bearer khi_…`); a kiosk's token is refused."""
    return await hub.write(hub.calling.desk.call_next, department_id, None, his_actor(his))


@router.post("/api/v1/departments/{department_id}/rooms/{room_id}/call-next", response_model=wire.Ticket,
             responses=problems(403, 404, 409))  # fmt: skip
async def call_next_to_room(department_id: str, room_id: str, hub: HubDep, his: HisCaller) -> wire.Ticket:
    """Call the next ticket to a room: among the department's tickets for that room or for any room. Refused
    (409 `room_paused`, `room_closed`) while the room does not call."""
    return await hub.write(hub.calling.desk.call_next, department_id, room_id, his_actor(his))


@router.post("/api/v1/departments/{department_id}/tickets/{ticket_id}/transfer", response_model=wire.Ticket,
             responses=problems(403, 404, 409))  # fmt: skip
async def transfer(
    department_id: str, ticket_id: str, body: TransferRequest, hub: HubDep, his: HisCaller
) -> wire.Ticket:
    """Send a called ticket to another room or department, where it waits again (docs/calling.md: numbers).
    Declared before the other ticket actions: its path would match theirs."""
    where = Transfer(body.to_department_id, body.to_room_id)
    return await hub.write(hub.calling.desk.transfer, department_id, ticket_id, where, his_actor(his))


@router.post("/api/v1/departments/{department_id}/tickets/{ticket_id}/{action}", response_model=wire.Ticket,
             responses=problems(403, 404, 409))  # fmt: skip
async def ticket_action(
    department_id: str, ticket_id: str, action: TicketAction, hub: HubDep, his: HisCaller
) -> wire.Ticket:
    """`recall` a called (or skipped) number, `skip` a no-show, `start` and finish (`done`) the visit. A second
    `done` answers 409 `ticket_already_done` and changes nothing."""
    return await perform(hub, department_id, ticket_id, action, his_actor(his))


@router.post("/api/v1/departments/{department_id}/rooms/{room_id}/state", response_model=RoomStateAnswer,
             responses=problems(403, 404))  # fmt: skip
async def room_state(
    department_id: str, room_id: str, body: RoomStateRequest, hub: HubDep, his: HisCaller
) -> RoomStateAnswer:
    """Open, pause (keeps its queue, calls nothing) or close a room."""
    state = await hub.write(hub.calling.desk.set_room_state, department_id, room_id, body.state, his_actor(his))
    return RoomStateAnswer(room_id=room_id, state=state)


# --- staff at the console ------------------------------------------------------------------------------------------

staff_router = APIRouter(include_in_schema=False, prefix="/fleet/calling/departments/{department_id}")


def _back(department_id: str, room: str, **said: str) -> RedirectResponse:
    query = urlencode({**({"room": room} if room else {}), **said})
    return RedirectResponse(f"/fleet/calling/departments/{department_id}?{query}", status_code=303)


def _answer(request: Request, department_id: str, room: str, did: str, result: wire.Ticket | str) -> Response:
    """JSON for a script; a plain form post (a browser's) goes back to the page, saying what was done."""
    if "text/html" not in request.headers.get("accept", ""):
        return JSONResponse(result.model_dump(mode="json") if isinstance(result, wire.Ticket) else {"state": result})
    said = result.display_number if isinstance(result, wire.Ticket) else result
    return _back(department_id, room, did=did, said=said)


def _refused(request: Request, department_id: str, room: str, refusal: CallingRefusedError) -> Response:
    if "text/html" not in request.headers.get("accept", ""):
        raise refusal
    return _back(department_id, room, refused=refusal.code, why=refusal.title)


def _room_of(form_value: object) -> str:
    return form_value if isinstance(form_value, str) else ""


@staff_router.post("/call-next")
async def staff_call_next(department_id: str, request: Request, hub: HubDep, staff: StaffCaller) -> Response:
    """The same call for staff of the department (the calling page posts here; `room` in the form)."""
    room = _room_of(staff.form.get("room"))
    try:
        called = await hub.write(
            hub.calling.desk.call_next, department_id, room or None, staff_actor(staff.user, department_id)
        )
    except CallingRefusedError as refusal:
        return _refused(request, department_id, room, refusal)
    return _answer(request, department_id, room, "call-next", called)


@staff_router.post("/tickets/{ticket_id}/{action}")
async def staff_ticket_action(
    department_id: str, ticket_id: str, action: str, request: Request, hub: HubDep, staff: StaffCaller
) -> Response:
    room = _room_of(staff.form.get("room"))
    actor = staff_actor(staff.user, department_id)
    try:
        if action == "transfer":
            to = Transfer(_room_of(staff.form.get("to_department")), _room_of(staff.form.get("to_room")) or None)
            done = await hub.write(hub.calling.desk.transfer, department_id, ticket_id, to, actor)
        elif action in TicketAction.__members__.values():
            done = await perform(hub, department_id, ticket_id, TicketAction(action), actor)
        else:
            return JSONResponse({"code": "unknown_action"}, status_code=404)
    except CallingRefusedError as refusal:
        return _refused(request, department_id, room, refusal)
    return _answer(request, department_id, room, action, done)


@staff_router.post("/rooms/{room_id}/state")
async def staff_room_state(
    department_id: str, room_id: str, request: Request, hub: HubDep, staff: StaffCaller
) -> Response:
    wanted = _room_of(staff.form.get("state"))
    if wanted not in RoomState.__members__.values():
        return JSONResponse({"code": "unknown_state"}, status_code=422)
    try:
        state = await hub.write(
            hub.calling.desk.set_room_state,
            department_id,
            room_id,
            RoomState(wanted),
            staff_actor(staff.user, department_id),
        )
    except CallingRefusedError as refusal:
        return _refused(request, department_id, room_id, refusal)
    return _answer(request, department_id, room_id, "state", state.value)
