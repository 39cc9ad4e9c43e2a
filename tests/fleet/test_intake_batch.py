"""The batched heartbeat intake: many kiosks at once over ASGI all stored before their 200, one kiosk twice in a
batch, revoked and unknown kiosks refused inside a batch, bad bodies answered 422, the 5-minute history rule."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import httpx
from sqlalchemy import func, select

from kiosk.remote_config.schema import ActionKind, DeviceState, Heartbeat, HeartbeatReply
from kiosk_hub import errors
from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet import actions
from kiosk_hub.fleet.enrolment import default_group, revoke
from kiosk_hub.fleet.intake_batch import History, write_batch
from kiosk_hub.fleet.models import FleetKiosk, HeartbeatRow
from kiosk_hub.kiosk_tokens import hash_token, new_token

from .conftest import FleetHub, enrolled_kiosk


def add_kiosks(fleet: FleetHub, count: int) -> list[tuple[str, str]]:
    """(kiosk id, token) of `count` kiosks enrolled straight into the database."""
    made = [(str(uuid.uuid4()), new_token()) for _ in range(count)]
    with fleet.hub.writer() as session:
        group = default_group(session, fleet.clock())
        for n, (kiosk_id, token) in enumerate(made):
            session.add(Kiosk(id=kiosk_id, name=f"k{n:03d}", token_hash=hash_token(token), created_at=fleet.clock()))
            session.add(FleetKiosk(kiosk_id=kiosk_id, group_id=group.id, enrolled_at=fleet.clock()))
        session.commit()
    return made


def beat(**changes: object) -> Heartbeat:
    return Heartbeat.model_validate({"app_version": "0.1.0", "devices": {"printer": "ok"}, **changes})


async def test_sixty_kiosks_at_once_are_all_stored_before_their_answer(fleet: FleetHub) -> None:
    kiosks = add_kiosks(fleet, 60)

    async def send(token: str, tickets: int) -> httpx.Response:
        body = beat(funnel={"tickets": tickets}).model_dump_json()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        return await fleet.client.post("/fleet/v1/heartbeat", content=body, headers=headers)

    answers = await asyncio.gather(*(send(token, n) for n, (_, token) in enumerate(kiosks)))
    assert [a.status_code for a in answers] == [200] * 60
    assert all(HeartbeatReply.model_validate_json(a.content).config_version == 0 for a in answers)
    with fleet.hub.reader() as session:
        rows = {r.kiosk_id: r for r in session.scalars(select(FleetKiosk))}
        assert session.scalar(select(func.count()).select_from(HeartbeatRow)) == 60
    for n, (kiosk_id, _) in enumerate(kiosks):
        assert rows[kiosk_id].last_seen_at is not None
        assert json.loads(rows[kiosk_id].funnel)["tickets"] == n


async def test_one_batch_refuses_the_revoked_and_unknown_and_hands_an_action_over_once(fleet: FleetHub) -> None:
    (live, _), (gone, _) = add_kiosks(fleet, 2)
    with fleet.hub.writer() as session:
        revoke(session, gone, "it-admin", fleet.clock())
        action_id = actions.queue(session, live, ActionKind.RESTART, "it-admin", fleet.clock())
        session.commit()
    history: History = {}
    with fleet.hub.writer() as session:
        outcomes = write_batch(
            session,
            [(live, beat()), (gone, beat()), ("no-such-kiosk", beat()), (live, beat(devices={"printer": "fault"}))],
            fleet.clock(),
            history,
        )
        session.commit()
    first, revoked, unknown, second = outcomes
    assert isinstance(first, HeartbeatReply)
    assert [a.id for a in first.actions] == [action_id]
    assert isinstance(second, HeartbeatReply)
    assert second.actions == []
    assert isinstance(revoked, errors.HubError)
    assert revoked.status == 401
    assert isinstance(unknown, errors.HubError)
    assert unknown.status == 401
    with fleet.hub.reader() as session:
        row = session.get(FleetKiosk, live)
        assert row is not None
        assert json.loads(row.devices) == {"printer": DeviceState.FAULT.value}
        # The first beat is history (none yet), the second changed a device: both kept.
        assert session.scalar(select(func.count()).where(HeartbeatRow.kiosk_id == live)) == 2
        assert session.scalar(select(func.count()).where(HeartbeatRow.kiosk_id == gone)) == 0


async def test_unchanged_beats_keep_one_history_row_per_five_minutes(fleet: FleetHub, tmp_kiosks: Path) -> None:
    kiosk = await enrolled_kiosk(fleet, tmp_kiosks, "k1")
    for _ in range(11):  # 5 minutes 30 s of beats every 30 s
        await kiosk.sender.beat_once()
        fleet.clock.advance(30)
    with fleet.hub.reader() as session:
        assert session.scalar(select(func.count()).select_from(HeartbeatRow)) == 2  # at 0 s and at 300 s


async def test_a_bad_body_or_token_loses_nothing_and_gets_a_clear_answer(fleet: FleetHub, tmp_kiosks: Path) -> None:
    kiosk = await enrolled_kiosk(fleet, tmp_kiosks, "k1")
    broken = await kiosk.http.post("/fleet/v1/heartbeat", content=b'{"app_version": 5', headers={"Content-Type": "x"})
    assert broken.status_code == 422
    assert broken.json()["code"] == "validation_failed"
    wrong = await kiosk.http.post("/fleet/v1/heartbeat", json={"app_version": "1", "day": "23/11/2026"})
    assert wrong.status_code == 422
    assert "day" in wrong.json()["detail"]
    stranger = await fleet.client.post(
        "/fleet/v1/heartbeat", json={"app_version": "1"}, headers={"Authorization": "Bearer kh_nope"}
    )
    assert stranger.status_code == 401
    with fleet.hub.reader() as session:
        assert session.scalar(select(func.count()).select_from(HeartbeatRow)) == 0
