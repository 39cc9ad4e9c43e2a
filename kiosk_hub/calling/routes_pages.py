"""The console's calling pages: a staff member's places, a room's calling page (works on a clinic PC and a tablet;
one key calls the next), and for IT the waiting-room areas and their screens."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kiosk_hub.access.principals import AdminChange, ConsoleReader, SignedIn, StaffReader
from kiosk_hub.calling import screens
from kiosk_hub.calling.areas import AreaError, AreaSettings, list_areas, save_area
from kiosk_hub.calling.staff_view import room_page
from kiosk_hub.db.models import Department
from kiosk_hub.fleet.console.web import form_text, render
from kiosk_hub.web.deps import HubDep

router = APIRouter(include_in_schema=False)


@router.get("/fleet/calling", response_class=HTMLResponse)
async def my_places(request: Request, hub: HubDep, user: SignedIn) -> HTMLResponse:
    """The departments and rooms this user calls for (an admin: every department)."""
    with hub.reader() as session:
        departments = {d.id: d for d in session.query(Department).order_by(Department.sort_order)}
    every: list[tuple[str, str | None]] = [(d, None) for d in departments]
    places = every if user.is_admin else [(d, r) for d, r in user.places if d in departments]
    return render(request, "calling_places.html", user=user, places=places, departments=departments)


@router.get("/fleet/calling/departments/{department_id}", response_class=HTMLResponse)
async def room_calling_page(department_id: str, request: Request, hub: HubDep, user: StaffReader) -> Response:
    room = request.query_params.get("room") or None
    own_rooms = {r for d, r in user.places if d == department_id}
    if room is None and not user.is_admin and None not in own_rooms and own_rooms:
        first = sorted(r for r in own_rooms if r)[0]
        return RedirectResponse(f"/fleet/calling/departments/{department_id}?room={first}", 303)
    names = user.is_admin or user.may_see_names

    def read():  # type: ignore[no-untyped-def]
        with hub.reader() as session:
            return room_page(session, department_id, room, hub.queue.today(), hub.clock(), names)

    page = await asyncio.to_thread(read)
    if page is None:
        return render(request, "error.html", 404, user=user, message_key="error.not_found")
    allowed = [r for r in page.rooms if user.is_admin or None in own_rooms or r.id in own_rooms]
    return render(request, "calling_room.html", user=user, page=page, rooms=allowed, names=names,
                  said=request.query_params.get("said"), did=request.query_params.get("did", ""),
                  refused=request.query_params.get("refused"), why=request.query_params.get("why", ""))  # fmt: skip


# --- areas and screens (IT) ----------------------------------------------------------------------------------------


@router.get("/fleet/calling/areas", response_class=HTMLResponse)
async def areas_page(request: Request, hub: HubDep, user: ConsoleReader) -> HTMLResponse:
    return _areas(request, hub, user)


def _areas(request: Request, hub: HubDep, user: object, status: int = 200, **extra: object) -> HTMLResponse:
    with hub.reader() as session:
        areas = list_areas(session)
        shown = screens.list_screens(session)
    return render(request, "calling_areas.html", status, user=user, areas=areas, screens=shown, **extra)


def _places(text: str) -> tuple[tuple[str, str | None], ...]:
    """ "NOI, KKB/KKB-01" → (("NOI", None), ("KKB", "KKB-01"))."""
    found = []
    for item in text.replace("\n", ",").split(","):
        if item.strip():
            department, _, room = item.strip().partition("/")
            found.append((department.strip(), room.strip() or None))
    return tuple(found)


@router.post("/fleet/calling/areas")
async def save_area_form(request: Request, hub: HubDep, change: AdminChange) -> Response:
    form = change.form
    try:
        area = AreaSettings(
            id=form_text(form, "id").strip(), name_vi=form_text(form, "name_vi"), name_en=form_text(form, "name_en"),
            places=_places(form_text(form, "places")), recent_calls=int(form_text(form, "recent_calls", "6") or 6),
            speak_english=form_text(form, "speak_english") == "on", volume=int(form_text(form, "volume", "80") or 80),
            quiet_from=form_text(form, "quiet_from").strip() or None,
            quiet_until=form_text(form, "quiet_until").strip() or None,
        )  # fmt: skip
        with hub.writer() as session:
            save_area(session, area)
            session.commit()
    except (AreaError, ValueError) as problem:
        return _areas(request, hub, change.user, 400, problem=str(problem))
    return RedirectResponse("/fleet/calling/areas", status_code=303)


@router.post("/fleet/calling/screens")
async def add_screen(request: Request, hub: HubDep, change: AdminChange) -> Response:
    try:
        with hub.writer() as session:
            code = screens.create_screen(session, form_text(change.form, "name"), form_text(change.form, "area"),
                                         change.user.username, hub.clock())  # fmt: skip
            session.commit()
    except screens.ScreenError as problem:
        return _areas(request, hub, change.user, 400, problem=problem.code)
    return _areas(request, hub, change.user, new_code=code, new_screen=form_text(change.form, "name"))


@router.post("/fleet/calling/screens/{screen_id}/revoke")
async def revoke_screen(screen_id: str, request: Request, hub: HubDep, change: AdminChange) -> Response:
    try:
        with hub.writer() as session:
            screens.revoke(session, screen_id, change.user.username, hub.clock())
            session.commit()
    except screens.ScreenError as problem:
        return _areas(request, hub, change.user, 404, problem=problem.code)
    return RedirectResponse("/fleet/calling/areas", status_code=303)
