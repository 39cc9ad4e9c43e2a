"""What kiosks send: heartbeats (latest state + history) and configuration outcomes (which move rollouts on)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from kiosk.remote_config.schema import ApplyStatus, ConfigReport, Heartbeat, HeartbeatReply, PendingAction
from kiosk_hub.db.engine import as_utc
from kiosk_hub.fleet import rollout
from kiosk_hub.fleet.models import ConfigReportRow, FleetKiosk, HeartbeatRow, RemoteAction

HISTORY_EVERY = timedelta(minutes=5)
HISTORY_DAYS = timedelta(days=14)


def take_heartbeat(session: Session, kiosk_id: str, beat: Heartbeat, now: datetime) -> HeartbeatReply:
    """Store the heartbeat, hand over queued actions, and say which configuration version the kiosk should run."""
    kiosk = session.get(FleetKiosk, kiosk_id)
    if kiosk is None:
        raise LookupError(kiosk_id)  # enrolled with `kiosk-hub kiosk add`, not through the fleet
    changed_version = kiosk.config_version != beat.config_version
    devices = json.dumps({k: v.value for k, v in beat.devices.items()})
    # An alert is kept in the history too, so the kiosk's page can show it.
    changed = changed_version or devices != kiosk.devices or beat.app_version != kiosk.app_version or bool(beat.alerts)
    kiosk.last_seen_at = now
    kiosk.app_version = beat.app_version
    kiosk.config_version = beat.config_version
    if beat.config_status is not None:
        kiosk.config_status = beat.config_status
    kiosk.devices = devices
    kiosk.funnel = beat.funnel.model_dump_json()
    kiosk.funnel_day = beat.day
    _keep_history(session, kiosk_id, beat, now, changed)
    actions = list(
        session.scalars(
            select(RemoteAction)
            .where(RemoteAction.kiosk_id == kiosk_id, RemoteAction.picked_at.is_(None))
            .order_by(RemoteAction.requested_at)
        )
    )
    if actions:
        session.execute(update(RemoteAction).where(RemoteAction.id.in_([a.id for a in actions])).values(picked_at=now))
    if changed_version:
        rollout.evaluate(session, kiosk.group_id, now)
    wanted = rollout.desired_version(session, kiosk) or 0
    return HeartbeatReply(
        actions=[PendingAction(id=a.id, kind=a.kind) for a in actions],  # type: ignore[arg-type]
        config_version=wanted,
    )


def _keep_history(session: Session, kiosk_id: str, beat: Heartbeat, now: datetime, changed: bool) -> None:
    """History keeps every change and one heartbeat per HISTORY_EVERY otherwise, for HISTORY_DAYS: 10,000 kiosks
    beating every 30 s would otherwise add 29 million rows a day."""
    if not changed:
        last = session.scalar(select(func.max(HeartbeatRow.received_at)).where(HeartbeatRow.kiosk_id == kiosk_id))
        if last is not None and now - as_utc(last) < HISTORY_EVERY:
            return
    session.add(HeartbeatRow(kiosk_id=kiosk_id, received_at=now, body=beat.model_dump_json()))
    session.execute(
        delete(HeartbeatRow).where(HeartbeatRow.kiosk_id == kiosk_id, HeartbeatRow.received_at < now - HISTORY_DAYS)
    )


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
