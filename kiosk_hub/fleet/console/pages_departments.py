"""Console pages for the hospital's departments: the list in the kiosks' order (move, hide, show), one department
with its opening hours, lanes and rooms (add, edit), and the list as CSV or JSON. Admins change, viewers look.

The form's fields are the import file's columns (kiosk_hub/catalogue/records.py): one validation for both.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from kiosk_hub.access.principals import AdminChange, ConsoleReader
from kiosk_hub.catalogue import files, store
from kiosk_hub.catalogue.records import DepartmentRecord
from kiosk_hub.explain import explain, field_path
from kiosk_hub.fleet.console.i18n import translator
from kiosk_hub.fleet.console.web import form_text, hub_of, language, render

router = APIRouter(prefix="/fleet", include_in_schema=False)
TEXTS = ("name_vi", "name_en", "location_vi", "location_en")
ROOM_FIELDS = ("id", *TEXTS)
SPARE_ROOMS = 1  # empty rows under the rooms, to add one


@router.get("/departments")
def departments_page(request: Request, user: ConsoleReader) -> Response:
    with hub_of(request).reader() as session:
        found = store.records(session)
        origins = store.origins(session)
    return render(request, "departments.html", user=user, departments=found, origins=origins)


@router.get("/departments/export.{kind}")
def export(kind: str, request: Request, _user: ConsoleReader) -> Response:
    if kind not in ("csv", "json"):
        return Response(status_code=404)
    with hub_of(request).reader() as session:
        found = store.records(session)
    body = files.to_csv(found) if kind == "csv" else files.to_json(found)
    media = "text/csv; charset=utf-8" if kind == "csv" else "application/json"
    disposition = f'attachment; filename="departments.{kind}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


@router.get("/departments/new")
def new_department_page(request: Request, user: ConsoleReader) -> Response:
    return render(request, "department.html", user=user, form=_form(None), new=True, problems=[])


@router.get("/departments/{department_id}")
def department_page(department_id: str, request: Request, user: ConsoleReader, saved: int = 0) -> Response:
    with hub_of(request).reader() as session:
        record = store.record_of(session, department_id)
    if record is None:
        return render(request, "error.html", 404, user=user, message_key="error.not_found")
    return render(request, "department.html", user=user, form=_form(record), new=False, problems=[], saved=saved)


@router.post("/departments")
async def create_department(request: Request, change: AdminChange) -> Response:
    return _save(request, change, None)


@router.post("/departments/{department_id}")
async def save_department(department_id: str, request: Request, change: AdminChange) -> Response:
    return _save(request, change, department_id)


def _save(request: Request, change: AdminChange, department_id: str | None) -> Response:
    """Validate the form as an import row would be; save it, or show it again with each problem by its field."""
    hub, t = hub_of(request), translator(language(request))
    payload = _payload(change.form, department_id)
    saved_rooms = {form_text(change.form, f"room-{n}-id") for n in range(200) if f"room-{n}-saved" in change.form}
    try:
        record = DepartmentRecord.model_validate(payload)
    except ValidationError as exc:
        problems = [(_label(t, error["loc"]), explain(error).pick(language(request))) for error in exc.errors()]
        return _again(request, change, payload, department_id, problems, saved_rooms)
    try:
        with hub.writer() as session:
            store.save_department(session, record, change.user.username, hub.clock(), new=department_id is None)
            session.commit()
    except KeyError:
        return render(request, "error.html", 404, user=change.user, message_key="error.not_found")
    except ValueError as exc:
        taken = str(exc).partition(":")[2]
        problem = (t("dep.room_taken"), taken) if taken else (t("dep.id"), t("dep.exists"))
        return _again(request, change, payload, department_id, [problem], saved_rooms)
    hub.queue.catalog.forget()  # this process issues by the new state at once; others within 30 s
    return RedirectResponse(f"/fleet/departments/{record.id}?saved=1", status_code=303)


def _again(
    request: Request, change: AdminChange, payload: dict[str, Any], department_id: str | None,
    problems: list[tuple[str, str]], saved_rooms: set[str],
) -> Response:  # fmt: skip
    """The form as it was sent, with its problems; rooms not saved yet keep an editable id."""
    rooms = [{**room, "new": room["id"] not in saved_rooms} for room in payload["rooms"]]
    form = {**payload, "rooms": rooms + [_blank_room()] * SPARE_ROOMS}
    return render(request, "department.html", 422, user=change.user, form=form, new=department_id is None,
                  problems=problems)  # fmt: skip


def _label(t: Any, loc: tuple[int | str, ...]) -> str:
    if loc and loc[0] == "rooms" and len(loc) >= 3:
        return f"{t('dep.room')} {int(loc[1]) + 1}, {t('dep.room_id') if loc[2] == 'id' else t('dep.' + str(loc[2]))}"
    name = field_path(loc)
    text = t(f"dep.{name}")
    return text if text != f"dep.{name}" else name


def _payload(form: FormData, department_id: str | None) -> dict[str, Any]:
    """The record the form describes: its fields as typed, rooms from their numbered rows (empty rows dropped)."""
    fields = ("opening_hours", "lane_policy", "priority_every", "minutes_per_patient", *TEXTS)
    payload: dict[str, Any] = {name: form_text(form, name).strip() for name in fields}
    payload["id"] = department_id or form_text(form, "id").strip()
    payload["active"] = form_text(form, "active") == "1"
    rooms = []
    for n in range(200):
        row = {name: form_text(form, f"room-{n}-{name}").strip() for name in ROOM_FIELDS}
        if f"room-{n}-id" not in form:
            break
        if any(row.values()):
            rooms.append({**row, "active": form_text(form, f"room-{n}-active") == "1"})
    payload["rooms"] = rooms
    return payload


def _blank_room() -> dict[str, Any]:
    return {**dict.fromkeys(ROOM_FIELDS, ""), "active": True, "new": True}


def _form(record: DepartmentRecord | None) -> dict[str, Any]:
    """What the form shows: a saved department, or an empty one with a day's opening hours to start from."""
    if record is None:
        rooms: list[dict[str, Any]] = []
        form: dict[str, Any] = {"id": "", "opening_hours": "T2-T6 07:00-11:30, 13:00-16:30", "active": True,
                                "lane_policy": "strict", "priority_every": 3, "minutes_per_patient": 6}  # fmt: skip
        form.update(dict.fromkeys(TEXTS, ""))
    else:
        form = record.model_dump(exclude={"rooms", "opening_hours"}) | {"opening_hours": record.hours_text}
        form["lane_policy"] = record.lane_policy.value
        rooms = [room.model_dump() for room in record.rooms]
    return {**form, "rooms": rooms + [_blank_room()] * SPARE_ROOMS}


@router.post("/departments/{department_id}/move")
async def move(department_id: str, request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    step = -1 if form_text(change.form, "direction") == "up" else 1
    with hub.writer() as session:
        store.move(session, department_id, step, change.user.username, hub.clock())
        session.commit()
    return RedirectResponse("/fleet/departments", status_code=303)


@router.post("/departments/{department_id}/active")
async def set_active(department_id: str, request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    with hub.writer() as session:
        found = store.set_active(
            session, department_id, form_text(change.form, "active") == "1", change.user.username, hub.clock()
        )
        session.commit()
    if not found:
        return render(request, "error.html", 404, user=change.user, message_key="error.not_found")
    hub.queue.catalog.forget()
    return RedirectResponse("/fleet/departments", status_code=303)
