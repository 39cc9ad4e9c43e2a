"""Staged rollout of a configuration version to a group: canaries first, the rest once the canaries report it
applied, halted automatically when failures pass the group's threshold; a rollback saves the previous
configuration again as a new version (kiosks never accept an older version) and sends it to the whole group at once.
What this module decides a kiosk should run is what the fleet API signs for that kiosk alone (`issuing.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kiosk.remote_config.schema import ApplyStatus
from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.configs import config_of, save_version
from kiosk_hub.fleet.models import ConfigReportRow, ConfigVersion, FleetKiosk, KioskGroup, Rollout, RolloutPhase

FAILED = (ApplyStatus.REVERTED, ApplyStatus.REFUSED)


class RolloutError(ValueError):
    """A rollout request that cannot be done (unknown version or group, nothing to roll back to)."""


# Built once: the heartbeat intake asks this for every batch, and building the statement costs more than running it.
_CURRENT_ROLLOUT = (
    select(Rollout)
    .where(Rollout.group_id == bindparam("group_id"), Rollout.phase != RolloutPhase.SUPERSEDED)
    .order_by(Rollout.id.desc())
    .limit(1)
)


def current_rollout(session: Session, group_id: str) -> Rollout | None:
    return session.scalars(_CURRENT_ROLLOUT, {"group_id": group_id}).first()


def _settled_version(rollout: Rollout | None) -> int | None:
    """The version every kiosk of the group may run whatever happens next."""
    if rollout is None:
        return None
    if rollout.phase in (RolloutPhase.WIDE, RolloutPhase.DONE):
        return rollout.version
    return rollout.previous_version


def start(
    session: Session, group_id: str, version: int, actor: str, now: datetime, *, rollback: bool = False
) -> Rollout:
    if session.get(KioskGroup, group_id) is None:
        raise RolloutError("unknown_group")
    if session.get(ConfigVersion, version) is None:
        raise RolloutError("unknown_version")
    before = current_rollout(session, group_id)
    previous_version = _settled_version(before)
    if before is not None:
        before.phase = RolloutPhase.SUPERSEDED
    rollout = Rollout(
        group_id=group_id,
        version=version,
        previous_version=previous_version,
        phase=RolloutPhase.WIDE if rollback else RolloutPhase.CANARY,
        is_rollback=rollback,
        created_by=actor,
        created_at=now,
    )
    session.add(rollout)
    session.flush()
    audit.record(session, now, actor, "rollout.rollback" if rollback else "rollout.start", group_id, version=version)
    evaluate(session, group_id, now)
    return rollout


def roll_back(session: Session, group_id: str, actor: str, now: datetime) -> Rollout:
    """One click: the group's previous settled configuration, saved again as a new version, to every kiosk now."""
    rollout = current_rollout(session, group_id)
    if rollout is None or rollout.previous_version is None:
        raise RolloutError("nothing_to_roll_back_to")
    document = config_of(session, rollout.previous_version)
    comment = f"rollback of v{rollout.version} to v{rollout.previous_version}"
    version = save_version(session, document, actor, now, comment)
    session.flush()
    return start(session, group_id, version, actor, now, rollback=True)


def desired_version(session: Session, kiosk: FleetKiosk) -> int | None:
    """The version this kiosk should run now, or None when its group has had no rollout."""
    return desired_under(current_rollout(session, kiosk.group_id), kiosk.canary, kiosk.config_version)


def desired_under(rollout: Rollout | None, canary: bool, config_version: int) -> int | None:
    """The version a kiosk (canary or not, running `config_version`) should run under its group's rollout."""
    if rollout is None:
        return None
    if rollout.phase in (RolloutPhase.WIDE, RolloutPhase.DONE):
        return rollout.version
    # Canary phase: only canaries (and kiosks already on it) run the new version. Halted: only kiosks already on
    # it; a canary that failed it is served the settled version again (signed afresh, so it never expires).
    if config_version >= rollout.version or (canary and rollout.phase == RolloutPhase.CANARY):
        return rollout.version
    return rollout.previous_version


@dataclass(frozen=True)
class RolloutProgress:
    targeted: int
    applied: int
    failed: int


def targeted_kiosks(session: Session, group_id: str, phase: str) -> list[FleetKiosk]:
    """The group's live kiosks a rollout in `phase` targets: its canaries only while in the canary phase."""
    query = (
        select(FleetKiosk)
        .join(Kiosk, Kiosk.id == FleetKiosk.kiosk_id)
        .where(FleetKiosk.group_id == group_id, Kiosk.revoked.is_(False))
    )
    kiosks = list(session.scalars(query))
    return [k for k in kiosks if k.canary] if phase == RolloutPhase.CANARY else kiosks


def past_threshold(session: Session, group_id: str, failed: int, targeted: int) -> bool:
    """Failures past the group's threshold: the rollout halts (shared by configuration and software rollouts)."""
    group = session.get(KioskGroup, group_id)
    assert group is not None
    return bool(failed) and failed * 100 > group.failure_threshold_percent * max(targeted, 1)


def progress(session: Session, rollout: Rollout) -> RolloutProgress:
    kiosks = targeted_kiosks(session, rollout.group_id, rollout.phase)
    failed_ids = set(
        session.scalars(
            select(ConfigReportRow.kiosk_id).where(
                ConfigReportRow.version == rollout.version, ConfigReportRow.status.in_(list(FAILED))
            )
        )
    )
    applied = sum(1 for k in kiosks if k.config_version >= rollout.version)
    failed = sum(1 for k in kiosks if k.kiosk_id in failed_ids and k.config_version < rollout.version)
    return RolloutProgress(len(kiosks), applied, failed)


def evaluate(session: Session, group_id: str, now: datetime) -> None:
    """Move the group's rollout on (canary → wide → done) or halt it; called after every report that matters."""
    rollout = current_rollout(session, group_id)
    if rollout is None or rollout.phase in (RolloutPhase.DONE, RolloutPhase.HALTED):
        return
    seen = progress(session, rollout)
    if past_threshold(session, group_id, seen.failed, seen.targeted):
        rollout.phase = RolloutPhase.HALTED
        rollout.note = f"halted: {seen.failed} of {seen.targeted} failed"
        audit.record(session, now, "hub", "rollout.halt", group_id, version=rollout.version, failed=seen.failed)
    elif seen.applied >= seen.targeted and not seen.failed:
        if rollout.phase == RolloutPhase.CANARY:
            rollout.phase = RolloutPhase.WIDE
            audit.record(session, now, "hub", "rollout.widen", group_id, version=rollout.version)
            evaluate(session, group_id, now)
        elif rollout.phase == RolloutPhase.WIDE and seen.targeted:
            rollout.phase = RolloutPhase.DONE
            audit.record(session, now, "hub", "rollout.done", group_id, version=rollout.version)
