"""Staged rollout of a kiosk software release to a group, on the fleet's model (`kiosk_hub/fleet/rollout.py`):
canaries first, the rest once every canary runs it, halted when failures pass the group's threshold; pause and
resume; roll back to any earlier release (to the whole group at once); a kiosk pinned to a release keeps it
whatever its group's rollout says. A kiosk runs a release when it says so (its heartbeat's app version, or its
`installed` report); it failed when its latest report on the release is a refusal or a rollback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.updates.manifest import parse_version
from kiosk.updates.window import parse_windows
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.models import FleetKiosk, KioskGroup, RolloutPhase
from kiosk_hub.fleet.rollout import past_threshold, targeted_kiosks
from kiosk_hub.releases.models import MaintenanceWindow, Release, ReleasePin, ReleaseRollout, UpdateReport

FAILED = ("refused", "rolled_back")


class ReleaseRolloutError(ValueError):
    """A request that cannot be done: unknown_group, unknown_release, unknown_kiosk, nothing_to_roll_back_to,
    no_rollout, not_older."""


def current(session: Session, group_id: str) -> ReleaseRollout | None:
    query = (
        select(ReleaseRollout)
        .where(ReleaseRollout.group_id == group_id, ReleaseRollout.phase != RolloutPhase.SUPERSEDED)
        .order_by(ReleaseRollout.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _settled(rollout: ReleaseRollout | None) -> str | None:
    if rollout is None:
        return None
    if rollout.phase in (RolloutPhase.WIDE, RolloutPhase.DONE) and not rollout.paused:
        return rollout.version
    return rollout.previous_version


def start(
    session: Session, group_id: str, version: str, actor: str, now: datetime, *, rollback: bool = False
) -> ReleaseRollout:
    if session.get(KioskGroup, group_id) is None:
        raise ReleaseRolloutError("unknown_group")
    if session.get(Release, version) is None:
        raise ReleaseRolloutError("unknown_release")
    before = current(session, group_id)
    previous = _settled(before)
    if before is not None:
        before.phase = RolloutPhase.SUPERSEDED
    rollout = ReleaseRollout(
        group_id=group_id, version=version, previous_version=previous,
        phase=RolloutPhase.WIDE if rollback else RolloutPhase.CANARY, is_rollback=rollback,
        created_by=actor, created_at=now,
    )  # fmt: skip
    session.add(rollout)
    session.flush()
    audit.record(session, now, actor, "release.rollback" if rollback else "release.rollout", group_id, version=version)
    evaluate(session, group_id, now)
    return rollout


def roll_back(session: Session, group_id: str, actor: str, now: datetime, version: str | None = None) -> ReleaseRollout:
    """To `version` (any earlier release), or to the release the group ran before its current rollout."""
    rollout = current(session, group_id)
    target = version or (rollout.previous_version if rollout else None)
    if target is None:
        raise ReleaseRolloutError("nothing_to_roll_back_to")
    if rollout is not None and parse_version(target) >= parse_version(rollout.version):
        raise ReleaseRolloutError("not_older")
    return start(session, group_id, target, actor, now, rollback=True)


def set_paused(session: Session, group_id: str, paused: bool, actor: str, now: datetime) -> ReleaseRollout:
    rollout = current(session, group_id)
    if rollout is None:
        raise ReleaseRolloutError("no_rollout")
    rollout.paused = paused
    action = "release.pause" if paused else "release.resume"
    audit.record(session, now, actor, action, group_id, version=rollout.version)
    if not paused:
        evaluate(session, group_id, now)
    return rollout


def pin(session: Session, kiosk_id: str, version: str | None, actor: str, now: datetime) -> None:
    """Hold one kiosk on `version` (None: follow its group again)."""
    if session.get(FleetKiosk, kiosk_id) is None:
        raise ReleaseRolloutError("unknown_kiosk")
    existing = session.get(ReleasePin, kiosk_id)
    if existing is not None:
        session.delete(existing)
        session.flush()
    if version is not None:
        if session.get(Release, version) is None:
            raise ReleaseRolloutError("unknown_release")
        session.add(ReleasePin(kiosk_id=kiosk_id, version=version, pinned_by=actor, pinned_at=now))
    audit.record(session, now, actor, "release.pin" if version else "release.unpin", kiosk_id, version=version)


def set_windows(session: Session, group_id: str, text: str, actor: str, now: datetime) -> list[str]:
    if session.get(KioskGroup, group_id) is None:
        raise ReleaseRolloutError("unknown_group")
    windows = parse_windows(text)  # BadWindowError for the caller to show
    row = session.get(MaintenanceWindow, group_id)
    if row is None:
        session.add(MaintenanceWindow(group_id=group_id, windows=",".join(windows)))
    else:
        row.windows = ",".join(windows)
    audit.record(session, now, actor, "release.windows", group_id, windows=windows)
    return windows


def windows_of(session: Session, group_id: str) -> list[str]:
    row = session.get(MaintenanceWindow, group_id)
    return row.windows.split(",") if row is not None and row.windows else []


@dataclass(frozen=True)
class Desired:
    version: str
    rollback: bool  # older than what the kiosk runs: it accepts that only on the hub's signed word


def desired(session: Session, kiosk: FleetKiosk) -> Desired | None:
    """The release this kiosk should run now, or None (no rollout for its group, no pin: it keeps what it has)."""
    pinned = session.get(ReleasePin, kiosk.kiosk_id)
    if pinned is not None:
        version: str | None = pinned.version
    else:
        version = desired_under(current(session, kiosk.group_id), kiosk.canary, kiosk.app_version)
    if version is None:
        return None
    running = kiosk.app_version
    try:
        older = bool(running) and parse_version(version) < parse_version(running)
    except ValueError:  # a kiosk that reported no usable version ("unknown")
        older = False
    return Desired(version, older)


def desired_under(rollout: ReleaseRollout | None, canary: bool, running: str) -> str | None:
    if rollout is None:
        return None
    if rollout.phase in (RolloutPhase.WIDE, RolloutPhase.DONE) and not rollout.paused:
        return rollout.version
    # Canary phase: canaries (and kiosks already on it). Halted or paused: only kiosks already on it; the rest keep
    # (or go back to) the group's settled release.
    if running == rollout.version or (canary and rollout.phase == RolloutPhase.CANARY and not rollout.paused):
        return rollout.version
    return rollout.previous_version


@dataclass(frozen=True)
class ReleaseProgress:
    targeted: int
    applied: int
    failed: int


def latest_reports(session: Session, version: str) -> dict[str, UpdateReport]:
    """Each kiosk's latest report on `version`."""
    latest = select(func.max(UpdateReport.id)).where(UpdateReport.version == version).group_by(UpdateReport.kiosk_id)
    rows = session.scalars(select(UpdateReport).where(UpdateReport.id.in_(latest)))
    return {r.kiosk_id: r for r in rows}


def progress(session: Session, rollout: ReleaseRollout) -> ReleaseProgress:
    kiosks = targeted_kiosks(session, rollout.group_id, rollout.phase)
    reports = latest_reports(session, rollout.version)
    applied = sum(1 for k in kiosks if k.app_version == rollout.version)
    failed = sum(
        1 for k in kiosks
        if k.app_version != rollout.version and k.kiosk_id in reports and reports[k.kiosk_id].status in FAILED
    )  # fmt: skip
    return ReleaseProgress(len(kiosks), applied, failed)


def evaluate(session: Session, group_id: str, now: datetime) -> None:
    """Move the group's release rollout on (canary → wide → done) or halt it; after every report that matters."""
    rollout = current(session, group_id)
    if rollout is None or rollout.paused or rollout.phase in (RolloutPhase.DONE, RolloutPhase.HALTED):
        return
    seen = progress(session, rollout)
    if past_threshold(session, group_id, seen.failed, seen.targeted):
        rollout.phase = RolloutPhase.HALTED
        rollout.note = f"halted: {seen.failed} of {seen.targeted} failed"
        audit.record(session, now, "hub", "release.halt", group_id, version=rollout.version, failed=seen.failed)
    elif seen.applied >= seen.targeted and not seen.failed:
        if rollout.phase == RolloutPhase.CANARY:
            rollout.phase = RolloutPhase.WIDE
            audit.record(session, now, "hub", "release.widen", group_id, version=rollout.version)
            evaluate(session, group_id, now)
        elif rollout.phase == RolloutPhase.WIDE and seen.targeted:
            rollout.phase = RolloutPhase.DONE
            audit.record(session, now, "hub", "release.done", group_id, version=rollout.version)
