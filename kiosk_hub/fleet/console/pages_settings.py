"""The console's hub settings page: the BHXH lookup officer (the CCCD only ever shown by its last 4 digits, never
sent back to the browser once saved) and the key that signs kiosk configurations (its id and age, nothing secret)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select

from kiosk_hub.access.principals import AdminChange, ConsoleReader
from kiosk_hub.bhxh.officer import OfficerError
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.console.web import form_text, hub_of, render
from kiosk_hub.fleet.models import ACTIVE_KEY, ConfigKeyChange, ConfigSigningKey
from kiosk_hub.fleet.signing import SigningKeyUnavailableError
from kiosk_hub.hub import Hub

router = APIRouter(prefix="/fleet", include_in_schema=False)


def _page(request: Request, hub: Hub, status: int = 200, **context: object) -> Response:
    with hub.reader() as session:
        key = session.scalars(select(ConfigSigningKey).where(ConfigSigningKey.active == ACTIVE_KEY)).first()
        rotations = session.scalar(select(func.count()).select_from(ConfigKeyChange)) or 0
    try:
        officer = hub.officer.view()
    except SigningKeyUnavailableError:
        officer = None  # the key file is missing or another one: the page says so instead of failing
    return render(request, "settings.html", status, officer=officer, key=key, rotations=rotations, **context)


@router.get("/settings")
def settings_page(request: Request, user: ConsoleReader, saved: int = 0) -> Response:
    return _page(request, hub_of(request), user=user, saved=saved, problem=None)


@router.post("/settings/officer")
async def save_officer(request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    try:
        with hub.writer() as session:
            if form_text(change.form, "use_environment") == "on":
                hub.officer.forget(session)
            else:
                name, id_number = form_text(change.form, "name"), form_text(change.form, "id_number")
                hub.officer.save(session, name, id_number, change.user.username, hub.clock())
            # Who changed the officer and when; never the name or the number.
            audit.record(session, hub.clock(), change.user.username, "hub_settings.officer", "bhxh")
            session.commit()
    except OfficerError as exc:
        return _page(request, hub, 422, user=change.user, saved=0, problem=f"settings.invalid.{exc.field}")
    except SigningKeyUnavailableError:
        return _page(request, hub, 503, user=change.user, saved=0, problem="settings.no_key_file")
    return RedirectResponse("/fleet/settings?saved=1", status_code=303)
