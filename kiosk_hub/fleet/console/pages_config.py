"""Console pages for configuration: the schema-driven editor and its versions, enrolment codes, groups and rollouts."""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk_hub.access.principals import AdminChange, ConsoleReader
from kiosk_hub.db.models import Department
from kiosk_hub.fleet import audit, configs, enrolment, rollout
from kiosk_hub.fleet.console import confirm, editor_words, schema_form
from kiosk_hub.fleet.console.web import form_text, hub_of, language, render
from kiosk_hub.fleet.models import ConfigVersion, KioskGroup

router = APIRouter(prefix="/fleet", include_in_schema=False)


def _department_choices(session: Session, lang: str) -> dict[str, list[schema_form.Choice]]:
    """The departments a configuration may show: every one the hub has, hidden ones said so."""
    hidden = " (đang ẩn)" if lang == "vi" else " (hidden)"
    departments = session.scalars(select(Department).order_by(Department.sort_order, Department.id))
    return {
        "departments_shown": [
            schema_form.Choice(d.id, f"{d.id} — {d.name_en if lang == 'en' else d.name_vi}{'' if d.active else hidden}")
            for d in departments
        ]
    }


@router.get("/config")
def config_page(request: Request, user: ConsoleReader, base: int = 0, saved: int = 0) -> Response:
    lang = language(request)
    with hub_of(request).reader() as session:
        versions = session.scalars(select(ConfigVersion).order_by(ConfigVersion.version.desc()).limit(50)).all()
        if base and session.get(ConfigVersion, base) is not None:
            version, document = base, configs.config_of(session, base)
        else:
            version, document = configs.latest_config(session)
        rows = schema_form.fields(document, lang, choices=_department_choices(session, lang))
    return render(request, "config.html", user=user, rows=rows, versions=versions, base=version, saved=saved)


@router.post("/config")
async def save_config(request: Request, change: AdminChange) -> Response:
    hub, lang = hub_of(request), language(request)
    document = schema_form.read_form(change.form)
    try:
        with hub.writer() as session:
            version = configs.save_version(
                session, document, change.user.username, hub.clock(), form_text(change.form, "comment")
            )
            session.commit()
    except configs.InvalidConfigError as exc:
        errors = {path: words.pick(lang) for path, words in exc.problems}
        with hub.reader() as session:
            versions = session.scalars(select(ConfigVersion).order_by(ConfigVersion.version.desc()).limit(50)).all()
            rows = schema_form.fields(document, lang, errors, _department_choices(session, lang))
        problems = [(editor_words.label(path, lang), words.pick(lang)) for path, words in exc.problems]
        return render(
            request, "config.html", 422, user=change.user, rows=rows, versions=versions, base=0, saved=0,
            problems=problems,
        )  # fmt: skip
    return RedirectResponse(f"/fleet/config?saved={version}", status_code=303)


@router.get("/config/{version}.json")
def config_json(version: int, request: Request, _user: ConsoleReader) -> Response:
    with hub_of(request).reader() as session:
        row = session.get(ConfigVersion, version)
        if row is None:
            return Response(status_code=404)
        body = {"version": version, "comment": row.comment, "config": configs.config_of(session, version)}
    return Response(json.dumps(body, ensure_ascii=False, indent=2), media_type="application/json")


@router.get("/enrol")
def enrol_page(request: Request, user: ConsoleReader) -> Response:
    with hub_of(request).reader() as session:
        groups = session.scalars(select(KioskGroup).order_by(KioskGroup.name)).all()
    return render(request, "enrol.html", user=user, groups=groups, code=None)


@router.post("/enrol")
async def create_code(request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    with hub.writer() as session:
        code = enrolment.create_code(
            session, change.user.username, hub.clock(), form_text(change.form, "group_id") or None
        )
        session.commit()
        groups = session.scalars(select(KioskGroup).order_by(KioskGroup.name)).all()
    # Shown in this response only; never in a redirect URL, a log line or the audit detail.
    response = render(request, "enrol.html", user=change.user, groups=groups, code=code)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/rollouts")
def rollouts_page(request: Request, user: ConsoleReader, error: str = "") -> Response:
    hub = hub_of(request)
    with hub.writer() as session:
        enrolment.default_group(session, hub.clock())  # there is always somewhere to roll out to
        session.commit()
        groups = []
        for group in session.scalars(select(KioskGroup).order_by(KioskGroup.name)):
            current = rollout.current_rollout(session, group.id)
            seen = rollout.progress(session, current) if current else None
            groups.append({"group": group, "rollout": current, "progress": seen})
        versions = session.scalars(select(ConfigVersion.version).order_by(ConfigVersion.version.desc())).all()
    return render(request, "rollouts.html", user=user, groups=groups, versions=versions, error=error)


@router.post("/rollouts")
async def start_rollout(request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    try:
        version = int(form_text(change.form, "version", "0"))
        with hub.writer() as session:
            rollout.start(session, form_text(change.form, "group_id"), version, change.user.username, hub.clock())
            session.commit()
    except (ValueError, rollout.RolloutError) as exc:
        return RedirectResponse(f"/fleet/rollouts?error={type(exc).__name__}", status_code=303)
    return RedirectResponse("/fleet/rollouts", status_code=303)


@router.post("/rollouts/{group_id}/rollback")
async def roll_back(group_id: str, request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    if not confirm.confirmed(change):
        with hub.reader() as session:
            group = session.get(KioskGroup, group_id)
        if group is None:
            return RedirectResponse("/fleet/rollouts?error=unknown_group", status_code=303)
        return confirm.ask(request, change, "confirm.rollback", group.name, "/fleet/rollouts")
    try:
        with hub.writer() as session:
            rollout.roll_back(session, group_id, change.user.username, hub.clock())
            session.commit()
    except rollout.RolloutError as exc:
        return RedirectResponse(f"/fleet/rollouts?error={exc}", status_code=303)
    return RedirectResponse("/fleet/rollouts", status_code=303)


@router.post("/groups")
async def create_group(request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    name = form_text(change.form, "name").strip()[:100]
    try:
        threshold = max(0, min(100, int(form_text(change.form, "threshold", "20"))))
        with hub.writer() as session:
            group = KioskGroup(
                id=str(uuid.uuid4()), name=name, failure_threshold_percent=threshold, created_at=hub.clock()
            )
            session.add(group)
            audit.record(session, hub.clock(), change.user.username, "group.created", name, threshold=threshold)
            session.commit()
    except (ValueError, IntegrityError):
        return RedirectResponse("/fleet/rollouts?error=group", status_code=303)
    return RedirectResponse("/fleet/rollouts", status_code=303)
