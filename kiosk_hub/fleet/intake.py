"""What kiosks send: heartbeats (latest state + history) and configuration outcomes (which move rollouts on)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from kiosk.remote_config.schema import ApplyStatus, ConfigReport, Heartbeat, HeartbeatReply
from kiosk_hub.errors import HubError
from kiosk_hub.fleet import rollout
from kiosk_hub.fleet.intake_batch import write_batch
from kiosk_hub.fleet.models import ConfigReportRow, FleetKiosk


def take_heartbeat(session: Session, kiosk_id: str, beat: Heartbeat, now: datetime) -> HeartbeatReply:
    """Store one heartbeat (a batch of one; the API batches them, see `intake_buffer`), hand over queued actions,
    and say which configuration version the kiosk should run."""
    outcome = write_batch(session, [(kiosk_id, beat)], now, {})[0]
    if isinstance(outcome, HubError):
        raise LookupError(kiosk_id)
    return outcome


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
