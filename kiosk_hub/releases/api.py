"""The release API kiosks call: the release this kiosk should run (its manifest, signed when added, and an order for
this kiosk, signed now), the release's files (enrolled kiosks only, HTTP Range for resumed downloads), and the
kiosk's reports on each update."""

from __future__ import annotations

import logging
from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from kiosk.remote_config.envelope import timestamp
from kiosk.updates.manifest import ReleaseOrder, ServedRelease, SignedRelease, canonical_order, manifest_sha256
from kiosk.updates.report import UpdateReport, UpdateStatus
from kiosk_hub import errors
from kiosk_hub.fleet.api import LiveKiosk
from kiosk_hub.fleet.models import FleetKiosk
from kiosk_hub.fleet.signing import SigningKeyUnavailableError
from kiosk_hub.hub import Hub
from kiosk_hub.releases import rollout
from kiosk_hub.releases.catalogue import manifest_of
from kiosk_hub.releases.keys import release_key
from kiosk_hub.releases.models import Release
from kiosk_hub.releases.models import UpdateReport as UpdateReportRow

router = APIRouter(prefix="/fleet/v1", tags=["fleet"], include_in_schema=False)
log = logging.getLogger("kiosk_hub.releases")


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


@router.get("/release")
def release(request: Request, kiosk_id: LiveKiosk) -> Response:
    """The release this kiosk should run, or 204 (its group has no rollout and it is not pinned)."""
    hub = _hub(request)
    now = hub.clock()
    with hub.writer() as session:  # the release key is made the first time it is needed
        fleet_kiosk = session.get(FleetKiosk, kiosk_id)
        wanted = rollout.desired(session, fleet_kiosk) if fleet_kiosk else None
        found = session.get(Release, wanted.version) if wanted else None
        if fleet_kiosk is None or wanted is None or found is None:
            return Response(status_code=204)
        try:
            key = release_key(session, hub.config_keys, now)
        except SigningKeyUnavailableError as exc:
            log.error("cannot sign release orders: %s", exc)
            raise errors.HubError(503, "release_signing_unavailable", "The hub cannot sign releases now") from exc
        signed = SignedRelease(signed=found.signed, key_id=found.key_id, signature=found.signature)
        order = ReleaseOrder(
            kiosk_id=kiosk_id, version=found.version, manifest_sha256=manifest_sha256(signed),
            rollback=wanted.rollback, windows=rollout.windows_of(session, fleet_kiosk.group_id),
            issued_at=timestamp(now),
            expires_at=timestamp(now + timedelta(days=hub.settings.config_signature_days)),
        )  # fmt: skip
        session.commit()
    text = canonical_order(order)
    served = ServedRelease(release=signed, order=text, order_signature=key.sign(text.encode("utf-8")))
    return Response(served.model_dump_json(), media_type="application/json", headers={"Cache-Control": "no-cache"})


@router.get("/releases/{version}/files/{name}")
def release_file(request: Request, kiosk_id: LiveKiosk, version: str, name: str) -> Response:
    """One file of a release, by the name its manifest gives (never a path); Range requests resume a download."""
    hub = _hub(request)
    with hub.reader() as session:
        found = session.get(Release, version)
        names = {f.name for f in manifest_of(found).files} if found else set()
    if name not in names:
        raise errors.not_found("release_file")
    path = hub.settings.release_dir_path() / version / name
    if not path.is_file():
        log.error("release %s: file %s is missing from %s", version, name, path.parent)
        raise errors.not_found("release_file")
    return FileResponse(path, media_type="application/octet-stream", headers={"Cache-Control": "no-store"})


@router.post("/release/report", status_code=204)
def release_report(request: Request, kiosk_id: LiveKiosk, report: UpdateReport) -> None:
    hub = _hub(request)
    now = hub.clock()
    with hub.writer() as session:
        fleet_kiosk = session.get(FleetKiosk, kiosk_id)
        if fleet_kiosk is None:
            raise errors.not_found("fleet_kiosk")
        session.add(UpdateReportRow(kiosk_id=kiosk_id, version=report.version, status=report.status,
                                    reason=report.reason, at=now))  # fmt: skip
        if report.status == UpdateStatus.INSTALLED:
            fleet_kiosk.app_version = report.version
        session.flush()
        rollout.evaluate(session, fleet_kiosk.group_id, now)
        session.commit()
    log.info("kiosk %s: release %s %s %s", kiosk_id, report.version, report.status, report.reason[:200])
