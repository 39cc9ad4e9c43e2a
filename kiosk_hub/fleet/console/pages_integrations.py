"""Console pages for admins: integration credentials (a HIS calling numbers, reading events) — create one with its
scopes (the token is shown once), list them, revoke one (every hub process refuses it within a second)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kiosk_hub.access import integrations
from kiosk_hub.access.principals import AdminChange, AdminOnly
from kiosk_hub.access.roles import Scope
from kiosk_hub.fleet.console.web import form_text, hub_of, render
from kiosk_hub.hub import Hub

router = APIRouter(prefix="/fleet/integrations", include_in_schema=False)


def _page(request: Request, user: object, status: int = 200, problem: str = "", token: str = "") -> Response:
    with hub_of(request).reader() as session:
        rows = [(row, sorted(integrations.scopes_of(row))) for row in integrations.list_credentials(session)]
    return render(
        request, "integrations.html", status, user=user, rows=rows, scopes=list(Scope), problem=problem, token=token
    )


@router.get("")
def integrations_page(request: Request, user: AdminOnly) -> Response:
    return _page(request, user)


@router.post("")
async def create(request: Request, change: AdminChange) -> Response:
    name = form_text(change.form, "name").strip().lower()
    scopes = {Scope(value) for value in change.form.getlist("scope") if value in set(Scope)}
    if re.fullmatch(integrations.NAME_PATTERN, name) is None:
        return _page(request, change.user, 422, problem="bad_name")
    hub = hub_of(request)
    try:
        token = await hub.write(_create, hub, name, scopes, change.user.username)
    except integrations.IntegrationError as refused:
        return _page(request, change.user, 422, problem=refused.code)
    return _page(request, change.user, 201, token=token)  # shown once, never stored


def _create(hub: Hub, name: str, scopes: set[Scope], actor: str) -> str:
    with hub.writer() as session:
        _id, token = integrations.create_credential(session, name, scopes, actor, hub.clock())
        session.commit()
    return token


@router.post("/{name}/revoke")
async def revoke(name: str, request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    try:
        await hub.write(_revoke, hub, name, change.user.username)
    except integrations.IntegrationError:
        return render(request, "error.html", 404, user=change.user, message_key="error.not_found")
    return RedirectResponse("/fleet/integrations", status_code=303)


def _revoke(hub: Hub, name: str, actor: str) -> None:
    with hub.writer() as session:
        integrations.revoke_credential(session, name, actor, hub.clock())
        session.commit()
