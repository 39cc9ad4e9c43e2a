"""The fleet API with real kiosk agents over ASGI: enrolment, signed config, staged rollout, heartbeats, actions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.remote_config.enrolment import EnrolmentRefusedError, enrol
from kiosk.remote_config.schema import ActionKind, ActionResult, ApplyStatus, DeviceState, Heartbeat, RemoteConfig
from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet import actions, configs, rollout
from kiosk_hub.fleet.enrolment import default_group, revoke
from kiosk_hub.fleet.models import AuditEntry, FleetKiosk, HeartbeatRow, RemoteAction, RolloutPhase
from tests.fleet.conftest import FleetHub, KioskUnderTest, enrolled_kiosk


def save(fleet: FleetHub, **changes: object) -> int:
    document = RemoteConfig().model_dump(mode="json")
    document["idle"] = {**document["idle"], **changes.pop("idle", {})}  # type: ignore[dict-item]
    document.update(changes)
    with fleet.hub.writer() as session:
        version = configs.save_version(session, document, "it-admin", fleet.clock())
        session.commit()
    return version


def roll_out(fleet: FleetHub, version: int) -> None:
    with fleet.hub.writer() as session:
        rollout.start(session, default_group(session, fleet.clock()).id, version, "it-admin", fleet.clock())
        session.commit()


def phase(fleet: FleetHub) -> str:
    with fleet.hub.reader() as session:
        current = rollout.current_rollout(session, default_group(session, fleet.clock()).id)
        assert current is not None
        return current.phase


def make_canary(fleet: FleetHub, kiosk: KioskUnderTest) -> None:
    with fleet.hub.writer() as session:
        row = session.get(FleetKiosk, kiosk.credentials.kiosk_id)
        assert row is not None
        row.canary = True
        session.commit()


async def test_a_code_enrols_one_kiosk_once(fleet: FleetHub) -> None:
    code = fleet.new_code()
    credentials = await enrol(fleet.client, code, "sanh-a-1")
    assert credentials.token.startswith("kh_")
    with pytest.raises(EnrolmentRefusedError, match="code_used"):
        await enrol(fleet.client, code, "sanh-a-2")
    with pytest.raises(EnrolmentRefusedError, match="unknown_code"):
        await enrol(fleet.client, "AAAA-BBBB-CCCC", "sanh-a-3")
    expiring = fleet.new_code()
    fleet.clock.advance(25 * 3600)
    with pytest.raises(EnrolmentRefusedError, match="code_expired"):
        await enrol(fleet.client, expiring, "sanh-a-4")
    with fleet.hub.reader() as session:
        audit = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert audit.count("enrolment.code_created") == 2
    assert audit.count("kiosk.enrolled") == 1
    assert code.replace("-", "") not in json.dumps(audit)


async def test_staged_rollout_goes_canary_first_then_wide_then_done(fleet: FleetHub, tmp_kiosks: Path) -> None:
    canary = await enrolled_kiosk(fleet, tmp_kiosks, "canary")
    other = await enrolled_kiosk(fleet, tmp_kiosks, "other")
    make_canary(fleet, canary)
    version = save(fleet, idle={"screen_seconds": 42})
    roll_out(fleet, version)
    assert phase(fleet) == RolloutPhase.CANARY
    assert (await other.agent.poll_once()).status is None  # not its turn
    assert (await canary.agent.poll_once()).status is ApplyStatus.APPLIED
    assert canary.applied[-1].idle.screen_seconds == 42
    assert phase(fleet) == RolloutPhase.WIDE
    assert (await other.agent.poll_once()).status is ApplyStatus.APPLIED
    assert phase(fleet) == RolloutPhase.DONE


async def test_a_failing_canary_halts_the_rollout_and_the_rest_never_get_it(fleet: FleetHub, tmp_kiosks: Path) -> None:
    canary = await enrolled_kiosk(fleet, tmp_kiosks, "canary")
    other = await enrolled_kiosk(fleet, tmp_kiosks, "other")
    make_canary(fleet, canary)
    first = save(fleet)
    roll_out(fleet, first)
    await canary.agent.poll_once()
    await other.agent.poll_once()
    assert phase(fleet) == RolloutPhase.DONE
    canary.printer_broken_uris.add("tcp://10.9.9.9:9100")
    bad = save(fleet, printer={"uri": "tcp://10.9.9.9:9100", "profile": "TM-T20II", "paper_width_mm": 80})
    roll_out(fleet, bad)
    outcome = await canary.agent.poll_once()
    assert outcome.status is ApplyStatus.REVERTED
    assert "printer: paper path jammed" in outcome.reason
    assert phase(fleet) == RolloutPhase.HALTED
    current = canary.store.current()
    assert current is not None
    assert current.version == first
    assert (await other.agent.poll_once()).status is None
    assert other.agent.applied_version == first


async def test_one_click_rollback_resigns_the_previous_config_as_a_newer_version(
    fleet: FleetHub, tmp_kiosks: Path
) -> None:
    kiosk = await enrolled_kiosk(fleet, tmp_kiosks, "k1")
    roll_out(fleet, save(fleet, idle={"screen_seconds": 50}))
    await kiosk.agent.poll_once()
    roll_out(fleet, save(fleet, idle={"screen_seconds": 20}))
    await kiosk.agent.poll_once()
    assert kiosk.applied[-1].idle.screen_seconds == 20
    with fleet.hub.writer() as session:
        back = rollout.roll_back(session, default_group(session, fleet.clock()).id, "it-admin", fleet.clock())
        session.commit()
        assert (back.version, back.phase) == (3, RolloutPhase.WIDE)
    assert (await kiosk.agent.poll_once()).status is ApplyStatus.APPLIED
    assert (kiosk.agent.applied_version, kiosk.applied[-1].idle.screen_seconds) == (3, 50)


async def test_heartbeats_are_stored_and_carry_queued_actions(fleet: FleetHub, tmp_kiosks: Path) -> None:
    kiosk = await enrolled_kiosk(fleet, tmp_kiosks, "k1")
    done: list[str] = []

    async def test_print() -> ActionResult:
        done.append("printed")
        return ActionResult(ok=True, detail="printed")

    kiosk.sender._handlers[ActionKind.TEST_PRINT] = test_print
    kiosk.funnel.tickets = 7
    kiosk.funnel.identifications["chip"] = 5
    with fleet.hub.writer() as session:
        action_id = actions.queue(session, kiosk.credentials.kiosk_id, ActionKind.TEST_PRINT, "it-admin", fleet.clock())
        session.commit()
    reply = await kiosk.sender.beat_once()
    assert [a.kind for a in reply.actions] == [ActionKind.TEST_PRINT]
    assert done == ["printed"]
    assert (await kiosk.sender.beat_once()).actions == []  # handed over once
    with fleet.hub.reader() as session:
        row = session.get(FleetKiosk, kiosk.credentials.kiosk_id)
        assert row is not None
        assert row.last_seen_at is not None
        assert json.loads(row.funnel)["tickets"] == 7
        assert json.loads(row.devices)["camera"] == "missing"
        assert len(list(session.scalars(select(HeartbeatRow)))) == 1  # the second one changed nothing
        action = session.get(RemoteAction, action_id)
        assert action is not None
        assert action.ok is True
        assert action.detail == "printed"


async def test_a_revoked_kiosk_is_refused_at_once(fleet: FleetHub, tmp_kiosks: Path) -> None:
    kiosk = await enrolled_kiosk(fleet, tmp_kiosks, "k1")
    assert (await kiosk.http.post("/fleet/v1/heartbeat", json={"app_version": "1"})).status_code == 200
    with fleet.hub.writer() as session:
        revoke(session, kiosk.credentials.kiosk_id, "it-admin", fleet.clock())
        session.commit()
    refused = await kiosk.http.post("/fleet/v1/heartbeat", json={"app_version": "1"})
    assert refused.status_code == 401
    assert (await kiosk.http.get("/fleet/v1/config")).status_code == 401


async def test_a_name_is_taken_while_its_kiosk_is_active_and_freed_when_it_is_revoked(fleet: FleetHub) -> None:
    first = await enrol(fleet.client, fleet.new_code(), "sanh-c-1")
    with pytest.raises(EnrolmentRefusedError, match="name_taken"):
        await enrol(fleet.client, fleet.new_code(), "sanh-c-1")
    with fleet.hub.writer() as session:
        revoke(session, first.kiosk_id, "it-admin", fleet.clock())
        session.commit()
    again = await enrol(fleet.client, fleet.new_code(), "sanh-c-1")  # `kiosk enrol --code` after a revocation
    assert again.kiosk_id != first.kiosk_id
    with fleet.hub.reader() as session:
        names = {row.id: row.name for row in session.execute(select(Kiosk.id, Kiosk.name))}
    assert names[again.kiosk_id] == "sanh-c-1"
    assert names[first.kiosk_id] == f"sanh-c-1~{first.kiosk_id[:8]}"  # the revoked record keeps its history


async def test_the_hub_refuses_to_save_an_invalid_config(fleet: FleetHub) -> None:
    with fleet.hub.writer() as session, pytest.raises(configs.InvalidConfigError) as caught:
        configs.save_version(session, {"idle": {"screen_seconds": 3}}, "it-admin", fleet.clock())
    assert caught.value.problems[0][0] == "idle.screen_seconds"


async def test_history_keeps_changes_and_one_beat_in_five_minutes_for_two_weeks(
    fleet: FleetHub, tmp_kiosks: Path
) -> None:
    kiosk = await enrolled_kiosk(fleet, tmp_kiosks, "k1")

    def history() -> int:
        with fleet.hub.reader() as session:
            return len(list(session.scalars(select(HeartbeatRow))))

    await kiosk.sender.beat_once()
    fleet.clock.advance(30)
    await kiosk.sender.beat_once()
    assert history() == 1
    kiosk.sender._snapshot = _with_printer_fault(kiosk.sender._snapshot)
    fleet.clock.advance(30)
    await kiosk.sender.beat_once()
    assert history() == 2  # a device changed state
    fleet.clock.advance(301)
    await kiosk.sender.beat_once()
    assert history() == 3  # nothing changed, but five minutes passed
    fleet.clock.advance(15 * 86400)
    await kiosk.sender.beat_once()
    assert history() == 1  # older than two weeks: gone


def _with_printer_fault(snapshot: Callable[[], Heartbeat]) -> Callable[[], Heartbeat]:
    def faulty() -> Heartbeat:
        beat = snapshot()
        return beat.model_copy(update={"devices": {**beat.devices, "printer": DeviceState.FAULT}})

    return faulty
