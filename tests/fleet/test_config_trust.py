"""Configurations bound to their kiosk and to time, through the real hub over ASGI and the real agent: another
group's or a halted canary's document is refused when replayed; the hub signs again so a kiosk in touch never holds
an expired one; enrolment pins the key and the group's version; a key rotation reaches a kiosk that was away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from kiosk.remote_config.agent import SyncAgent
from kiosk.remote_config.envelope import Audience, SignedConfig
from kiosk.remote_config.schema import ApplyStatus, RemoteConfig
from kiosk.remote_config.trust import ConfigTrust
from kiosk_hub.fleet import issuing, key_rotation, rollout
from kiosk_hub.fleet.models import AuditEntry, ConfigKeyChange, ConfigSigningKey, KioskGroup
from tests.fleet.conftest import FleetHub, KioskUnderTest, enrolled_kiosk
from tests.fleet.test_fleet_api import make_canary, phase, roll_out, save
from tests.remote_config.conftest import key_change, sign


def agent_behind(
    kiosk: KioskUnderTest, fleet: FleetHub, answer: Callable[[httpx.Request], httpx.Response], alerts: list[str]
) -> SyncAgent:
    """The kiosk's own agent (its store, its trust) behind whatever sits between it and its hub."""

    async def alert(reason: str) -> None:
        alerts.append(reason)

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://hub.test")
    return SyncAgent(
        http, kiosk.store, ConfigTrust.of(kiosk.credentials, kiosk.store, fleet.clock), apply=kiosk.agent._apply,
        probes={}, session_active=lambda: False, alert=alert,
    )  # fmt: skip


def replayed(kiosk: KioskUnderTest, fleet: FleetHub, body: bytes) -> SyncAgent:
    """The kiosk's agent fed `body` (recorded elsewhere on the network) instead of what its hub would serve."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/report"):
            return httpx.Response(204)
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    return agent_behind(kiosk, fleet, answer, [])


async def served(kiosk: KioskUnderTest) -> bytes:
    response = await kiosk.http.get("/fleet/v1/config")
    assert response.status_code == 200
    return response.content


def new_group(fleet: FleetHub, name: str) -> str:
    with fleet.hub.writer() as session:
        session.add(KioskGroup(id=f"group-{name}", name=name, created_at=fleet.clock()))
        session.commit()
    return f"group-{name}"


async def test_another_groups_config_and_a_halted_canarys_are_refused_by_a_kiosk_not_meant_to_get_them(
    fleet: FleetHub, tmp_kiosks: Path
) -> None:
    canary = await enrolled_kiosk(fleet, tmp_kiosks, "canary")
    lobby = await enrolled_kiosk(fleet, tmp_kiosks, "lobby")
    clinic = await enrolled_kiosk(fleet, tmp_kiosks, "clinic", new_group(fleet, "clinic"))
    make_canary(fleet, canary)
    roll_out(fleet, save(fleet))
    assert (await canary.agent.poll_once()).status is ApplyStatus.APPLIED
    assert (await lobby.agent.poll_once()).status is ApplyStatus.APPLIED
    clinic_version = save(fleet, idle={"screen_seconds": 200})
    with fleet.hub.writer() as session:
        rollout.start(session, "group-clinic", clinic_version, "it-admin", fleet.clock())
        session.commit()
    clinics = await served(clinic)
    outcome = await replayed(lobby, fleet, clinics).poll_once()
    assert (outcome.status, outcome.reason) == (ApplyStatus.REFUSED, "wrong_audience")

    canary.printer_broken_uris.add("tcp://10.9.9.9:9100")
    halted = save(fleet, printer={"uri": "tcp://10.9.9.9:9100", "profile": "TM-T20II", "paper_width_mm": 80})
    roll_out(fleet, halted)
    canarys = await served(canary)  # what a listener on the network saw the canary get
    assert (await canary.agent.poll_once()).status is ApplyStatus.REVERTED
    assert phase(fleet) == "halted"
    outcome = await replayed(lobby, fleet, canarys).poll_once()
    assert (outcome.status, outcome.reason) == (ApplyStatus.REFUSED, "wrong_audience")
    assert lobby.applied[-1].printer.uri is None
    assert lobby.agent.applied_version == 1
    # The canary that failed it is served the settled version again, signed afresh: it never runs out.
    assert SignedConfig.model_validate_json(await served(canary)).version == 1


async def test_the_hub_signs_again_so_a_kiosk_in_touch_never_holds_an_expired_config(
    fleet: FleetHub, tmp_kiosks: Path
) -> None:
    kiosk = await enrolled_kiosk(fleet, tmp_kiosks, "lobby")
    roll_out(fleet, save(fleet, idle={"screen_seconds": 45}))
    await kiosk.agent.poll_once()
    expiries = set()
    for _ in range(4 * 30):  # a month of polls every six hours
        fleet.clock.advance(6 * 3600)
        await kiosk.agent.poll_once()
        current = kiosk.store.current()
        assert current is not None
        assert not current.expired(fleet.clock()), "a kiosk in touch with its hub held an expired configuration"
        expiries.add(current.expires_at)
    assert len(expiries) >= 29  # a fresh signature about once a day (a seventh of the week's validity)
    assert len(kiosk.applied) == 1  # fresh signatures apply nothing again

    alerts: list[str] = []
    fleet.clock.advance(8 * 86400)  # the hub away for longer than the validity
    away = agent_behind(kiosk, fleet, _unreachable, alerts)
    for _ in range(3):
        with pytest.raises(httpx.ConnectError):
            await away.poll_once()
    assert (alerts, away.config.idle.screen_seconds, away.applied_version) == (["config_expired"], 45, 1)
    await kiosk.agent.poll_once()  # back in touch
    current = kiosk.store.current()
    assert current is not None
    assert not current.expired(fleet.clock())


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("no route to hub", request=request)


async def test_enrolment_pins_the_hubs_key_and_nothing_older_than_the_groups_version_is_applied(
    fleet: FleetHub, tmp_kiosks: Path
) -> None:
    first = await enrolled_kiosk(fleet, tmp_kiosks, "first")
    roll_out(fleet, save(fleet))
    roll_out(fleet, save(fleet, idle={"screen_seconds": 45}))
    late = await enrolled_kiosk(fleet, tmp_kiosks, "late")
    assert late.credentials.enrolled_config_version == 2
    assert late.credentials.config_public_key == first.credentials.config_public_key
    now = fleet.clock()
    with fleet.hub.reader() as session:
        key = fleet.hub.config_keys.active(session)
    older = issuing.issue(
        key, 1, RemoteConfig().model_dump(mode="json"), Audience(kiosk=late.credentials.kiosk_id), now,
        timedelta(days=7), [],
    )  # fmt: skip
    outcome = await replayed(late, fleet, older.model_dump_json().encode()).poll_once()
    assert (outcome.status, outcome.reason) == (ApplyStatus.REFUSED, "older_version")
    assert (await late.agent.poll_once()).status is ApplyStatus.APPLIED


async def test_a_key_rotation_reaches_a_kiosk_online_and_one_that_was_away_and_a_forged_change_is_refused(
    fleet: FleetHub, tmp_kiosks: Path
) -> None:
    online = await enrolled_kiosk(fleet, tmp_kiosks, "online")
    away = await enrolled_kiosk(fleet, tmp_kiosks, "away")
    roll_out(fleet, save(fleet))
    for kiosk in (online, away):
        assert (await kiosk.agent.poll_once()).status is ApplyStatus.APPLIED
    pinned = online.credentials.config_public_key
    for _ in range(2):
        with fleet.hub.writer() as session:
            key_rotation.rotate(session, fleet.hub.config_keys, "it-admin", fleet.clock())
            session.commit()
        fleet.clock.advance(60)
        assert (await online.agent.poll_once()).status is None  # the same version, signed by the new key
        current = online.store.current()
        assert current is not None
        with fleet.hub.reader() as session:
            assert current.key_id == fleet.hub.config_keys.active(session).key_id
    roll_out(fleet, save(fleet, idle={"screen_seconds": 45}))
    assert (await online.agent.poll_once()).status is ApplyStatus.APPLIED
    # Back after both rotations: it walks the chain from the key it pinned at enrolment.
    assert (await away.agent.poll_once()).status is ApplyStatus.APPLIED
    assert away.applied[-1].idle.screen_seconds == 45
    assert away.credentials.config_public_key == pinned

    with fleet.hub.reader() as session:
        keys = list(session.scalars(select(ConfigSigningKey)))
        chain = list(session.scalars(select(ConfigKeyChange)))
        audited = [e.action for e in session.scalars(select(AuditEntry))]
    assert (len(keys), sum(k.active is not None for k in keys), len(chain)) == (3, 1, 2)
    assert all(k.private_pem is None and k.private_sealed for k in keys)
    assert audited.count("config_key.rotated") == 2

    genuine = SignedConfig.model_validate_json(await served(online))
    intruder, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    forged_change = key_change(stranger, intruder)  # signed by a key no kiosk ever trusted
    forged = sign(intruder, genuine.version + 1, genuine.config, kiosk=online.credentials.kiosk_id,
                  signed_at=fleet.clock(), changes=[*genuine.key_changes, forged_change])  # fmt: skip
    outcome = await replayed(online, fleet, forged.model_dump_json().encode()).poll_once()
    assert (outcome.status, outcome.reason) == (ApplyStatus.REFUSED, "unknown_key")
    claimed = forged_change.model_copy(update={"previous_key_id": genuine.key_id})  # "the hub's key handed on"
    forged = forged.model_copy(update={"key_changes": [*genuine.key_changes, claimed]})
    outcome = await replayed(online, fleet, forged.model_dump_json().encode()).poll_once()
    assert (outcome.status, outcome.reason) == (ApplyStatus.REFUSED, "bad_key_change")
    online.agent.reload()
    assert (await online.agent.poll_once()).status is None  # the hub's own document still holds: nothing to redo
    assert online.agent.last_status is ApplyStatus.APPLIED
