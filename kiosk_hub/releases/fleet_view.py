"""What the console and `kiosk-hub release list` show: the releases, which version each group's kiosks run, each
group's rollout and its progress, and one kiosk's update history with the reasons of its failures."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet.models import FleetKiosk, KioskGroup
from kiosk_hub.releases import rollout
from kiosk_hub.releases.models import Release, ReleasePin, ReleaseRollout, UpdateReport
from kiosk_hub.releases.rollout import ReleaseProgress


@dataclass(frozen=True)
class GroupView:
    group_id: str
    name: str
    versions: dict[str, int]  # version → kiosks running it
    windows: list[str]
    rollout: ReleaseRollout | None
    progress: ReleaseProgress | None


def group_views(session: Session) -> list[GroupView]:
    running = session.execute(
        select(FleetKiosk.group_id, FleetKiosk.app_version)
        .join(Kiosk, Kiosk.id == FleetKiosk.kiosk_id)
        .where(Kiosk.revoked.is_(False))
    ).all()
    views = []
    for group in session.scalars(select(KioskGroup).order_by(KioskGroup.name)):
        current = rollout.current(session, group.id)
        versions = Counter(v or "?" for g, v in running if g == group.id)
        seen = rollout.progress(session, current) if current else None
        windows = rollout.windows_of(session, group.id)
        views.append(GroupView(group.id, group.name, dict(sorted(versions.items())), windows, current, seen))
    return views


def releases(session: Session) -> list[Release]:
    return list(session.scalars(select(Release).order_by(Release.created_at.desc())))


def pins(session: Session) -> dict[str, str]:
    return {p.kiosk_id: p.version for p in session.scalars(select(ReleasePin))}


def history(session: Session, kiosk_id: str, limit: int = 50) -> list[UpdateReport]:
    query = select(UpdateReport).where(UpdateReport.kiosk_id == kiosk_id).order_by(UpdateReport.id.desc()).limit(limit)
    return list(session.scalars(query))


def fleet_versions(session: Session) -> dict[str, object]:
    """For `kiosk-hub release list`: plain data."""
    groups = []
    for view in group_views(session):
        current = view.rollout
        groups.append({
            "group": view.name, "versions": view.versions, "windows": view.windows,
            "rollout": None if current is None else {
                "version": current.version, "previous": current.previous_version, "phase": current.phase,
                "paused": current.paused, "rollback": current.is_rollback, "note": current.note,
                "progress": asdict(view.progress) if view.progress else None,
            },
        })  # fmt: skip
    listed = [{"version": r.version, "platform": r.platform, "python": r.python, "bytes": r.total_size,
               "expires_at": r.expires_at.isoformat()} for r in releases(session)]  # fmt: skip
    return {"releases": listed, "groups": groups, "pins": pins(session)}
