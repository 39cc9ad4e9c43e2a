"""The fleet API kiosks call: enrol with a one-time code, fetch the signed configuration (ETag), report outcomes,
send heartbeats (the reply carries queued actions), and return action results."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from kiosk.remote_config.envelope import Audience
from kiosk.remote_config.schema import ActionResult, ConfigReport, EnrolReply, Heartbeat
from kiosk_hub import errors
from kiosk_hub.access.principals import KioskPrincipal, Public, stated
from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet import actions, enrolment, intake, issuing, rollout
from kiosk_hub.fleet.configs import config_of
from kiosk_hub.fleet.intake_buffer import HeartbeatBuffer, KioskTokens
from kiosk_hub.fleet.key_rotation import key_changes
from kiosk_hub.fleet.models import FleetKiosk
from kiosk_hub.fleet.signing import SigningKeyUnavailableError
from kiosk_hub.hub import Hub
from kiosk_hub.releases.keys import release_key

router = APIRouter(prefix="/fleet/v1", tags=["fleet"], include_in_schema=False)
log = logging.getLogger("kiosk_hub.fleet")

_ENROL_STATUS = {"unknown_code": 404, "code_used": 409, "code_expired": 410, "name_taken": 409}


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def _live_kiosk(request: Request, kiosk_id: KioskPrincipal) -> str:
    # The bearer gate sees a revocation within a second; these calls read the kiosk's row anyway: refused at once.
    with _hub(request).reader() as session:
        kiosk = session.get(Kiosk, kiosk_id)
        if kiosk is None or kiosk.revoked:
            raise errors.unauthorized()
    return kiosk_id


LiveKiosk = Annotated[str, Depends(_live_kiosk)]


class EnrolRequest(BaseModel):
    code: str = Field(min_length=4, max_length=40)
    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w .\-]+$")


@router.post("/enrol", status_code=201, dependencies=[Public])  # the one-time code in the body is the credential
def enrol(request: Request, body: EnrolRequest) -> EnrolReply:
    hub = _hub(request)
    with hub.writer() as session:
        try:
            done = enrolment.redeem(session, hub.config_keys, body.code, body.name, hub.clock())
            release = release_key(session, hub.config_keys, hub.clock())
        except enrolment.EnrolmentError as exc:
            session.rollback()
            raise errors.HubError(_ENROL_STATUS.get(exc.code, 400), exc.code, f"Enrolment refused: {exc.code}") from exc
        except SigningKeyUnavailableError as exc:
            raise _no_signing_key(exc) from exc
        session.commit()
    return EnrolReply(
        kiosk_id=done.kiosk_id, token=done.token, config_public_key=done.config_public_key,
        config_key_id=done.config_key_id, group_id=done.group_id, config_version=done.config_version,
        release_public_key=release.public_b64, release_key_id=release.key_id,
    )  # fmt: skip


@router.get("/config")
def config(request: Request, kiosk_id: LiveKiosk, if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """The configuration this kiosk should run, signed for it now (see `fleet/issuing.py`)."""
    hub = _hub(request)
    now = hub.clock()
    validity = timedelta(days=hub.settings.config_signature_days)
    with hub.reader() as session:
        fleet_kiosk = session.get(FleetKiosk, kiosk_id)
        version = rollout.desired_version(session, fleet_kiosk) if fleet_kiosk else None
        if fleet_kiosk is None or version is None:
            return Response(status_code=204)
        try:
            key = hub.config_keys.active(session)
        except SigningKeyUnavailableError as exc:
            raise _no_signing_key(exc) from exc
        etag = issuing.config_etag(version, key.key_id, issuing.refresh_period(kiosk_id, now, validity))
        if if_none_match == etag:
            return Response(status_code=304, headers={"ETag": etag})
        audience = Audience(kiosk=kiosk_id, group=fleet_kiosk.group_id)
        document = issuing.issue(
            key, version, config_of(session, version), audience, now, validity, key_changes(session)
        )
    body = document.model_dump_json(exclude_none=True)
    return Response(body, media_type="application/json", headers={"ETag": etag, "Cache-Control": "no-cache"})


def _no_signing_key(exc: SigningKeyUnavailableError) -> errors.HubError:
    # The reason (which key file, which key) is for IT's log, not for the kiosk.
    log.error("cannot sign configurations: %s", exc)
    return errors.HubError(503, "config_signing_unavailable", "The hub cannot sign configurations now")


@router.post("/config/report", status_code=204)
def config_report(request: Request, kiosk_id: LiveKiosk, report: ConfigReport) -> None:
    hub = _hub(request)
    with hub.writer() as session:
        try:
            intake.take_config_report(session, kiosk_id, report, hub.clock())
        except LookupError as exc:
            raise errors.not_found("fleet_kiosk") from exc
        session.commit()


@router.post("/heartbeat", dependencies=[stated("kiosk")])
async def heartbeat(request: Request) -> Response:
    """The hot path (~333/s at 10,000 kiosks): cached token, pydantic parsing of the raw bytes, group commit.
    Answered only after the heartbeat's batch committed; a revoked kiosk is refused by its batch at once."""
    tokens, buffer = _intake(request)
    kiosk_id = await tokens.kiosk_of(request.headers.get("authorization"))
    try:
        beat = Heartbeat.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_input=False)) from None
    reply = await buffer.take(kiosk_id, beat)
    return Response(reply.model_dump_json(), media_type="application/json")


def _intake(request: Request) -> tuple[KioskTokens, HeartbeatBuffer]:
    state = request.app.state
    found: tuple[KioskTokens, HeartbeatBuffer] | None = getattr(state, "fleet_intake", None)
    if found is None:
        hub = _hub(request)
        found = state.fleet_intake = (KioskTokens(hub), HeartbeatBuffer(hub))
    return found


@router.post("/actions/{action_id}/result", status_code=204)
def action_result(request: Request, kiosk_id: LiveKiosk, action_id: str, result: ActionResult) -> None:
    hub = _hub(request)
    with hub.writer() as session:
        try:
            actions.finish(session, kiosk_id, action_id, result, hub.clock())
        except LookupError as exc:
            raise errors.not_found("action") from exc
        session.commit()
