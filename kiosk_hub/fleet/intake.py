"""What kiosks report about their configuration: the outcome of applying a version (it moves rollouts on).
Heartbeats are taken in batches (`intake_buffer`, `intake_batch`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from kiosk.remote_config.schema import ApplyStatus, ConfigReport
from kiosk_hub.fleet import rollout
from kiosk_hub.fleet.models import ConfigReportRow, FleetKiosk


def take_config_report(session: Session, kiosk_id: str, report: ConfigReport, now: datetime) -> None:
    kiosk = session.get(FleetKiosk, kiosk_id)
    if kiosk is None:
        raise LookupError(kiosk_id)
    session.add(
        ConfigReportRow(kiosk_id=kiosk_id, version=report.version, status=report.status, reason=report.reason, at=now)
    )
    kiosk.config_status = report.status
    kiosk.config_reason = report.reason
    if report.status == ApplyStatus.APPLIED:
        kiosk.config_version = max(kiosk.config_version, report.version)
    rollout.evaluate(session, kiosk.group_id, now)
