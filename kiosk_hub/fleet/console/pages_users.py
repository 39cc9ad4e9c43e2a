"""Console pages for admins to manage console users: add, disable or enable, set a new password, change the role,
bind staff to departments and rooms, let staff see names, and lift a sign-in lock."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk_hub.access import throttle, users
from kiosk_hub.access.models import SignInThrottle
from kiosk_hub.access.passwords import HasherBusyError, PasswordTooShortError
from kiosk_hub.access.principals import AdminChange, AdminOnly, Change
from kiosk_hub.access.roles import MIN_PASSWORD_LENGTH, Role
from kiosk_hub.db.engine import as_utc
from kiosk_hub.db.models import Department, Room
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.console.web import form_text, hub_of, render
from kiosk_hub.hub import Hub

router = APIRouter(prefix="/fleet/users", include_in_schema=False)
UserChange = Callable[[Session, str, datetime], None]


def _page(request: Request, user: object, status: int = 200, problem: str = "", done: str = "") -> Response:
    hub = hub_of(request)
    now = hub.clock()
    with hub.reader() as session:
        listed = users.list_users(session)
        departments = session.scalars(select(Department).order_by(Department.sort_order, Department.id)).all()
        rooms = session.scalars(select(Room).order_by(Room.department_id, Room.id)).all()
        throttles = [
            row for row in session.scalars(select(SignInThrottle).order_by(SignInThrottle.key))
            if row.locked_until is not None and as_utc(row.locked_until) > now
        ]  # fmt: skip
    return render(
        request, "users.html", status, user=user, users=listed, roles=list(Role), departments=departments,
        rooms=rooms, locks=throttles, problem=problem, done=done, min_length=MIN_PASSWORD_LENGTH,
    )  # fmt: skip


@router.get("")
def users_page(request: Request, user: AdminOnly, done: str = "") -> Response:
    return _page(request, user, done=done[:20])


async def _apply(request: Request, change: Change, work: UserChange, done: str) -> Response:
    """Runs one change on the writer threads; a refused change re-renders the page with its reason."""
    hub = hub_of(request)
    try:
        await hub.write(_in_transaction, hub, change.user.username, work)
    except users.UserError as refused:
        return _page(request, change.user, 422, problem=refused.code)
    return RedirectResponse(f"/fleet/users?done={done}", status_code=303)


def _in_transaction(hub: Hub, actor: str, work: UserChange) -> None:
    with hub.writer() as session:
        work(session, actor, hub.clock())
        session.commit()


async def _new_hash(request: Request, change: Change) -> str | Response:
    try:
        return await hub_of(request).access.hasher.hash(form_text(change.form, "password")[:200])
    except PasswordTooShortError:
        return _page(request, change.user, 422, problem="password_too_short")
    except HasherBusyError:
        return _page(request, change.user, 503, problem="busy")


@router.post("")
async def add_user(request: Request, change: AdminChange) -> Response:
    username = form_text(change.form, "username").strip().lower()
    try:
        role = Role(form_text(change.form, "role"))
    except ValueError:
        return _page(request, change.user, 422, problem="unknown_role")
    if not _valid_username(username):
        return _page(request, change.user, 422, problem="bad_username")
    hashed = await _new_hash(request, change)
    if not isinstance(hashed, str):
        return hashed

    def work(session: Session, actor: str, now: datetime) -> None:
        users.add_user_hashed(session, username, hashed, role, actor, now)

    return await _apply(request, change, work, "added")


def _valid_username(username: str) -> bool:
    return re.fullmatch(users.USERNAME_PATTERN, username) is not None


@router.post("/{username}/disabled")
async def set_disabled(username: str, request: Request, change: AdminChange) -> Response:
    disabled = form_text(change.form, "disabled") == "1"
    return await _apply(
        request, change, lambda s, actor, now: users.set_disabled(s, username, disabled, actor, now), "saved"
    )


@router.post("/{username}/password")
async def set_password(username: str, request: Request, change: AdminChange) -> Response:
    hashed = await _new_hash(request, change)
    if not isinstance(hashed, str):
        return hashed
    return await _apply(
        request, change, lambda s, actor, now: users.set_password_hash(s, username, hashed, actor, now), "saved"
    )


@router.post("/{username}/role")
async def set_role(username: str, request: Request, change: AdminChange) -> Response:
    try:
        role = Role(form_text(change.form, "role"))
    except ValueError:
        return _page(request, change.user, 422, problem="unknown_role")
    return await _apply(request, change, lambda s, actor, now: users.set_role(s, username, role, actor, now), "saved")


@router.post("/{username}/places")
async def assign_place(username: str, request: Request, change: AdminChange) -> Response:
    """Binds to a department or one of its rooms ("DEPT" or "DEPT/ROOM"); `remove=1` unbinds."""
    department, _, room = form_text(change.form, "place").partition("/")
    remove = form_text(change.form, "remove") == "1"
    action = users.unassign_place if remove else users.assign_place
    return await _apply(
        request, change, lambda s, actor, now: action(s, username, department, room or None, actor, now), "saved"
    )


@router.post("/{username}/names")
async def set_names(username: str, request: Request, change: AdminChange) -> Response:
    allowed = form_text(change.form, "may_see_names") == "1"
    return await _apply(
        request, change, lambda s, actor, now: users.set_may_see_names(s, username, allowed, actor, now), "saved"
    )


@router.post("/unlock")
async def lift_lock(request: Request, change: AdminChange) -> Response:
    """Lifts a sign-in lock (an account or a client address) before it runs out."""
    key = form_text(change.form, "key")[:120]

    def work(session: Session, actor: str, now: datetime) -> None:
        throttle.forget(session, key)
        audit.record(session, now, actor, "sign_in.unlocked", key)

    return await _apply(request, change, work, "unlocked")
