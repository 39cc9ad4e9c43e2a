"""Console pages: the fleet at a glance, one kiosk (history, actions, group, revoke), the audit log."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from kiosk.remote_config.schema import ActionKind, FunnelCounters
from kiosk_hub.access.principals import AdminChange, ConsoleReader
from kiosk_hub.db.engine import as_utc
from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet import actions, audit, enrolment, readiness
from kiosk_hub.fleet.console import confirm
from kiosk_hub.fleet.console.web import form_text, hub_of, render
from kiosk_hub.fleet.models import (
    AuditEntry,
    ConfigReportRow,
    FleetKiosk,
    HeartbeatRow,
    KioskGroup,
    RemoteAction,
)
from kiosk_hub.help import desk as help_desk
from kiosk_hub.his.register import PatientRegister
from kiosk_hub.hub import Hub

router = APIRouter(prefix="/fleet", include_in_schema=False)
STALE_AFTER = timedelta(seconds=90)  # three missed heartbeats at the default 30 s


def _funnel_totals(rows: list[FleetKiosk], day: str) -> FunnelCounters:
    total = FunnelCounters()
    for row in rows:
        if row.funnel_day != day:
            continue
        counters = FunnelCounters.model_validate_json(row.funnel)
        for name in ("identifications", "identification_failures", "entitlement_actions"):
            into = getattr(total, name)
            for key, count in getattr(counters, name).items():
                into[key] = into.get(key, 0) + count
        total.tickets += counters.tickets
        total.desk_slips += counters.desk_slips
        total.print_failures += counters.print_failures
    return total


@router.get("")
def fleet_view(request: Request, user: ConsoleReader) -> Response:
    hub = hub_of(request)
    now = hub.clock()
    with hub.reader() as session:
        query = (
            select(Kiosk, FleetKiosk, KioskGroup)
            .join(FleetKiosk, FleetKiosk.kiosk_id == Kiosk.id)
            .join(KioskGroup, KioskGroup.id == FleetKiosk.group_id)
            .order_by(Kiosk.name)
        )
        rows = [
            {
                "kiosk": kiosk,
                "fleet": fleet,
                "group": group.name,
                "devices": json.loads(fleet.devices),
                "stale": _lost(fleet, now),
            }
            for kiosk, fleet, group in session.execute(query)
        ]
        facts = readiness.HubFacts(
            https=request.url.scheme == "https", his_connected=not isinstance(hub.his, PatientRegister)
        )
        gaps = readiness.gaps(session, hub.settings, facts, now)
        unanswered = help_desk.overdue(session, now, timedelta(seconds=hub.settings.help_escalate_after_seconds))
    days = sorted({r["fleet"].funnel_day for r in rows if r["fleet"].funnel_day})
    day = days[-1] if days else ""
    funnel = _funnel_totals([r["fleet"] for r in rows], day)
    return render(request, "fleet.html", user=user, rows=rows, funnel=funnel, day=day, gaps=gaps, unanswered=unanswered)


def _lost(fleet: FleetKiosk, now: datetime) -> bool:
    """No heartbeat for three intervals (or never): what it last said of its devices is not their state now."""
    return fleet.last_seen_at is None or now - as_utc(fleet.last_seen_at) > STALE_AFTER


@router.get("/kiosks/{kiosk_id}")
def kiosk_view(kiosk_id: str, request: Request, user: ConsoleReader) -> Response:
    hub = hub_of(request)
    with hub.reader() as session:
        kiosk, fleet = session.get(Kiosk, kiosk_id), session.get(FleetKiosk, kiosk_id)
        if kiosk is None or fleet is None:
            return render(request, "error.html", 404, user=user, message_key="error.not_found")
        beats = session.scalars(
            select(HeartbeatRow)
            .where(HeartbeatRow.kiosk_id == kiosk_id)
            .order_by(HeartbeatRow.received_at.desc(), HeartbeatRow.id.desc())
            .limit(50)
        ).all()
        reports = session.scalars(
            select(ConfigReportRow).where(ConfigReportRow.kiosk_id == kiosk_id).order_by(ConfigReportRow.id.desc())
        ).all()[:20]
        queued = session.scalars(
            select(RemoteAction).where(RemoteAction.kiosk_id == kiosk_id).order_by(RemoteAction.requested_at.desc())
        ).all()[:20]
        groups = session.scalars(select(KioskGroup).order_by(KioskGroup.name)).all()
    history = [(b.received_at, json.loads(b.body)) for b in beats]
    return render(
        request, "kiosk.html", user=user, kiosk=kiosk, fleet=fleet, history=history, reports=reports,
        actions=queued, groups=groups, kinds=list(ActionKind), devices=json.loads(fleet.devices),
        stale=_lost(fleet, hub.clock()),
    )  # fmt: skip


@router.post("/kiosks/{kiosk_id}/actions")
async def queue_action(kiosk_id: str, request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    try:
        kind = ActionKind(form_text(change.form, "kind"))
        if kind is ActionKind.RESTART and not confirm.confirmed(change):
            return confirm.ask(
                request, change, "confirm.restart", _kiosk_name(hub, kiosk_id), f"/fleet/kiosks/{kiosk_id}"
            )
        with hub.writer() as session:
            actions.queue(session, kiosk_id, kind, change.user.username, hub.clock())
            session.commit()
    except (ValueError, LookupError):
        return render(request, "error.html", 404, user=change.user, message_key="error.not_found")
    return RedirectResponse(f"/fleet/kiosks/{kiosk_id}", status_code=303)


@router.post("/kiosks/{kiosk_id}/settings")
async def kiosk_settings(kiosk_id: str, request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    with hub.writer() as session:
        fleet = session.get(FleetKiosk, kiosk_id)
        group = session.get(KioskGroup, form_text(change.form, "group_id"))
        if fleet is None or group is None:
            return render(request, "error.html", 404, user=change.user, message_key="error.not_found")
        fleet.group_id, fleet.canary = group.id, form_text(change.form, "canary") == "on"
        audit.record(session, hub.clock(), change.user.username, "kiosk.settings", kiosk_id,
                     group=group.name, canary=fleet.canary)  # fmt: skip
        session.commit()
    return RedirectResponse(f"/fleet/kiosks/{kiosk_id}", status_code=303)


@router.post("/kiosks/{kiosk_id}/revoke")
async def revoke_kiosk(kiosk_id: str, request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    if not confirm.confirmed(change):
        try:
            name = _kiosk_name(hub, kiosk_id)
        except LookupError:
            return render(request, "error.html", 404, user=change.user, message_key="error.not_found")
        return confirm.ask(request, change, "confirm.revoke", name, f"/fleet/kiosks/{kiosk_id}")
    with hub.writer() as session:
        try:
            enrolment.revoke(session, kiosk_id, change.user.username, hub.clock())
        except enrolment.EnrolmentError:
            return render(request, "error.html", 404, user=change.user, message_key="error.not_found")
        session.commit()
    return RedirectResponse(f"/fleet/kiosks/{kiosk_id}", status_code=303)


def _kiosk_name(hub: Hub, kiosk_id: str) -> str:
    with hub.reader() as session:
        kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise LookupError(kiosk_id)
    return kiosk.name


@router.get("/actions/{action_id}/screenshot.png")
def screenshot(action_id: str, request: Request, _user: ConsoleReader) -> Response:
    with hub_of(request).reader() as session:
        action = session.get(RemoteAction, action_id)
        if action is None or not action.screenshot_png_base64:
            return Response(status_code=404)
        png = base64.b64decode(action.screenshot_png_base64)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/audit")
def audit_log(request: Request, user: ConsoleReader) -> Response:
    with hub_of(request).reader() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(300)).all()
    return render(request, "audit.html", user=user, entries=entries)
