"""Console pages for software releases: the versions across the fleet with each group's rollout (start, pause,
resume, roll back, maintenance windows), and one kiosk's update history with its failure reasons and its pin."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kiosk.updates.window import BadWindowError
from kiosk_hub.access.principals import AdminChange, ConsoleReader
from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet import enrolment
from kiosk_hub.fleet.console.web import form_text, hub_of, render
from kiosk_hub.fleet.models import FleetKiosk
from kiosk_hub.releases import fleet_view, rollout
from kiosk_hub.releases.models import ReleasePin

router = APIRouter(prefix="/fleet", include_in_schema=False)
PAGE = "/fleet/releases"


def _back(error: str = "", to: str = PAGE) -> Response:
    return RedirectResponse(f"{to}?error={error}" if error else to, status_code=303)


@router.get("/releases")
def releases_page(request: Request, user: ConsoleReader, error: str = "") -> Response:
    hub = hub_of(request)
    with hub.writer() as session:
        enrolment.default_group(session, hub.clock())  # there is always somewhere to roll out to
        session.commit()
        releases = fleet_view.releases(session)
        groups = fleet_view.group_views(session)
    return render(request, "releases.html", user=user, releases=releases, groups=groups, error=error[:80])


@router.post("/releases/rollouts")
async def start_rollout(request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    try:
        with hub.writer() as session:
            rollout.start(session, form_text(change.form, "group_id"), form_text(change.form, "version"),
                          change.user.username, hub.clock())  # fmt: skip
            session.commit()
    except rollout.ReleaseRolloutError as exc:
        return _back(str(exc))
    return _back()


@router.post("/releases/{group_id}/{step}")
async def group_step(group_id: str, step: str, request: Request, change: AdminChange) -> Response:
    """pause, resume, rollback (to the form's version) or windows (the form's text) for one group."""
    hub = hub_of(request)
    actor, now = change.user.username, hub.clock()
    try:
        with hub.writer() as session:
            if step in ("pause", "resume"):
                rollout.set_paused(session, group_id, step == "pause", actor, now)
            elif step == "rollback":
                rollout.roll_back(session, group_id, actor, now, form_text(change.form, "version") or None)
            elif step == "windows":
                rollout.set_windows(session, group_id, form_text(change.form, "windows"), actor, now)
            else:
                return _back("unknown_step")
            session.commit()
    except (rollout.ReleaseRolloutError, BadWindowError) as exc:
        return _back(str(exc))
    return _back()


@router.get("/releases/kiosks/{kiosk_id}")
def kiosk_history(kiosk_id: str, request: Request, user: ConsoleReader) -> Response:
    hub = hub_of(request)
    with hub.reader() as session:
        kiosk, fleet = session.get(Kiosk, kiosk_id), session.get(FleetKiosk, kiosk_id)
        if kiosk is None or fleet is None:
            return _back("unknown_kiosk")
        pin = session.get(ReleasePin, kiosk_id)
        history, releases = fleet_view.history(session, kiosk_id), fleet_view.releases(session)
    return render(request, "release_kiosk.html", user=user, kiosk=kiosk, fleet=fleet, history=history,
                  releases=releases, pin=pin)  # fmt: skip


@router.post("/releases/kiosks/{kiosk_id}/pin")
async def pin_kiosk(kiosk_id: str, request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    page = f"{PAGE}/kiosks/{kiosk_id}"
    try:
        with hub.writer() as session:
            rollout.pin(session, kiosk_id, form_text(change.form, "version") or None, change.user.username,
                        hub.clock())  # fmt: skip
            session.commit()
    except rollout.ReleaseRolloutError as exc:
        return _back(str(exc), page)
    return _back(to=page)
