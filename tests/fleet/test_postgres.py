"""The fleet on PostgreSQL (what several hub instances share): enrolment, the signing key, a staged rollout with
a failing canary, heartbeats; and one code raced by two kiosks at once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from kiosk.remote_config.enrolment import EnrolmentRefusedError, enrol
from kiosk.remote_config.schema import ApplyStatus
from kiosk_hub.app import create_app
from kiosk_hub.fleet.models import RolloutPhase
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.fleet.conftest import FakeClock, FleetHub, enrolled_kiosk
from tests.fleet.test_fleet_api import make_canary, phase, roll_out, save
from tests.support.keys import key_file_for
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.postgres


@pytest.fixture
async def fleet_pg(postgres: PostgresServer) -> AsyncIterator[FleetHub]:
    url = postgres.create_database(f"fleet_{uuid.uuid4().hex[:8]}")
    upgrade(url)
    clock = FakeClock()
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    app = create_app(hub, background=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as client:
        yield FleetHub(hub, app, client, clock)
    await hub.http.aclose()
    hub.engine.dispose()


async def test_a_rollout_halts_on_a_failing_canary_on_postgresql(fleet_pg: FleetHub, tmp_path: Path) -> None:
    canary = await enrolled_kiosk(fleet_pg, tmp_path, "canary")
    # The enrolment made the signing key: sealed by the test's own key file, never the machine's in /etc.
    key_file = fleet_pg.hub.config_keys.key_file
    assert key_file.exists()
    assert not key_file.is_relative_to("/etc")
    other = await enrolled_kiosk(fleet_pg, tmp_path, "other")
    make_canary(fleet_pg, canary)
    roll_out(fleet_pg, save(fleet_pg))
    assert (await canary.agent.poll_once()).status is ApplyStatus.APPLIED
    assert (await other.agent.poll_once()).status is ApplyStatus.APPLIED
    canary.printer_broken_uris.add("tcp://10.9.9.9:9100")
    roll_out(
        fleet_pg, save(fleet_pg, printer={"uri": "tcp://10.9.9.9:9100", "profile": "TM-T20II", "paper_width_mm": 80})
    )
    assert (await canary.agent.poll_once()).status is ApplyStatus.REVERTED
    assert phase(fleet_pg) == RolloutPhase.HALTED
    assert (await other.agent.poll_once()).status is None
    assert (await other.sender.beat_once()).config_version == 1


async def test_two_kiosks_racing_with_one_code_get_one_enrolment(fleet_pg: FleetHub) -> None:
    code = fleet_pg.new_code()
    results = await asyncio.gather(
        enrol(fleet_pg.client, code, "race-a"), enrol(fleet_pg.client, code, "race-b"), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["EnrolmentRefusedError", "KioskCredentials"]
    refused = next(r for r in results if isinstance(r, EnrolmentRefusedError))
    assert "code_used" in str(refused)
