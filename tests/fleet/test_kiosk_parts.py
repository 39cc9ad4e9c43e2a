"""The fleet runtime on a running kiosk's parts (the real flow service, `RunningKiosk`) against the hub over ASGI:
a configuration saved while a patient checks in waits, and applies once the kiosk is free."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx

from kiosk.flow.events import Cancel, CardPresented
from kiosk.flow.fakes import FakePrinter
from kiosk.remote_config.enrolment import enrol
from kiosk.remote_config.fleet_runtime import FleetRuntime
from kiosk.remote_config.funnel import FunnelTally
from kiosk.remote_config.schema import ApplyStatus
from kiosk.remote_config.store import ConfigStore
from tests.fleet.conftest import FleetHub
from tests.fleet.test_fleet_api import roll_out, save
from tests.flow.driver import CHIP, CONFIG
from tests.remote_config.test_live import patient_his, running


async def test_a_config_saved_during_a_check_in_waits_for_the_patient_then_applies(
    fleet: FleetHub, tmp_path: Path
) -> None:
    kiosk = running(patient_his(), FakePrinter())
    credentials = await enrol(fleet.client, fleet.new_code(), "sanh-live-1")
    headers = {"Authorization": f"Bearer {credentials.token}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fleet.app), base_url="http://hub.test", headers=headers
    ) as http:
        tally = FunnelTally(lambda: datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
        fleet_runtime = FleetRuntime(
            http, ConfigStore(tmp_path / "cfg"), credentials, kiosk.hooks(http, tally), "0.1.0", clock=fleet.clock
        )
        kiosk.service.dispatch(CardPresented(CHIP))  # a patient is in front of the kiosk
        await kiosk.service.idle()
        version = save(fleet, idle={"screen_seconds": 200})
        roll_out(fleet, version)
        assert (await fleet_runtime.agent.poll_once()).status is ApplyStatus.WAITING
        assert kiosk.service.config.idle_after_s == CONFIG.idle_after_s  # not under the patient's feet
        kiosk.service.dispatch(Cancel())
        outcome = await fleet_runtime.agent.poll_once()
    assert (outcome.status, outcome.version) == (ApplyStatus.APPLIED, version)
    assert kiosk.service.config.idle_after_s == 200.0
