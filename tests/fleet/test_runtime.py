"""The kiosk's fleet runtime against the hub over ASGI: remote actions end to end, heartbeats from the funnel tally."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

from kiosk.remote_config import fleet_runtime as runtime
from kiosk.remote_config.agent import ProbeOutcome
from kiosk.remote_config.alerts import FleetAlerts
from kiosk.remote_config.enrolment import enrol
from kiosk.remote_config.fleet_runtime import FleetRuntime, KioskHooks
from kiosk.remote_config.funnel import FunnelTally
from kiosk.remote_config.heartbeat import screenshot_result
from kiosk.remote_config.probes import hub_reachable
from kiosk.remote_config.schema import ActionKind, ActionResult, DeviceState, RemoteConfig
from kiosk.remote_config.store import ConfigStore
from kiosk_hub.access.roles import Role
from kiosk_hub.fleet import actions
from kiosk_hub.fleet.enrolment import revoke
from kiosk_hub.fleet.models import FleetKiosk, RemoteAction
from tests.fleet.conftest import FleetHub
from tests.fleet.console_client import add_console_user, log_in


def masked_png() -> bytes:
    image = Image.new("RGB", (108, 192), "white")
    image.paste((0, 0, 0), (10, 40, 98, 60))  # where the ID number would be: blacked out by the app
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class App:
    def __init__(self) -> None:
        self.restarted = 0
        self.printed = 0
        self.applied: list[RemoteConfig] = []

    async def apply(self, config: RemoteConfig) -> None:
        self.applied.append(config)

    async def probe(self, _config: RemoteConfig) -> ProbeOutcome:
        return ProbeOutcome(True)

    async def test_print(self) -> ActionResult:
        self.printed += 1
        return ActionResult(ok=True, detail="printer ready, test ticket printed")

    async def screenshot(self) -> ActionResult:
        return screenshot_result(masked_png())

    def restart(self) -> None:
        self.restarted += 1


async def test_queued_actions_reach_the_kiosk_and_their_results_the_console(
    fleet: FleetHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime, "RESTART_DELAY_SECONDS", 0.01)
    credentials = await enrol(fleet.client, fleet.new_code(), "sanh-c-01")
    app = App()
    tally = FunnelTally(lambda: datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    tally.identified("chip")
    tally.entitlement("000")
    tally.ticket()
    hooks = KioskHooks(
        apply=app.apply, probes={"printer": app.probe}, session_active=lambda: False,
        device_states=lambda: {"printer": DeviceState.OK, "reader": DeviceState.FAULT}, funnel=tally,
        restart=app.restart, test_print=app.test_print, screenshot=app.screenshot,
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {credentials.token}"}
    transport = httpx.ASGITransport(app=fleet.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test", headers=headers) as http:
        fleet_runtime = FleetRuntime(
            http, ConfigStore(tmp_path / "cfg"), credentials, hooks, "0.1.0", clock=fleet.clock
        )
        with fleet.hub.writer() as session:
            ids = {
                kind: actions.queue(session, credentials.kiosk_id, kind, "it-admin", fleet.clock())
                for kind in ActionKind
            }
            session.commit()
        await fleet_runtime.sender.beat_once()
        await asyncio.sleep(0.05)
    assert (app.restarted, app.printed) == (1, 1)
    with fleet.hub.reader() as session:
        done = {kind: session.get(RemoteAction, action_id) for kind, action_id in ids.items()}
        row = session.get(FleetKiosk, credentials.kiosk_id)
    assert all(a is not None and a.ok for a in done.values())
    shot = done[ActionKind.SCREENSHOT]
    assert shot is not None
    assert Image.open(io.BytesIO(base64.b64decode(shot.screenshot_png_base64))).size == (108, 192)
    assert row is not None
    assert json.loads(row.devices) == {"printer": "ok", "reader": "fault"}
    assert json.loads(row.funnel)["entitlement_actions"] == {"000": 1}
    assert row.funnel_day == "2026-11-23"


def test_the_funnel_restarts_at_midnight_hospital_time() -> None:
    now = [datetime(2026, 11, 23, 16, 59, tzinfo=UTC)]  # 23:59 in Hà Nội
    tally = FunnelTally(lambda: now[0])
    tally.ticket()
    tally.identification_failed("card_pulled")
    assert tally.snapshot()[1].tickets == 1
    now[0] += timedelta(minutes=2)
    day, counters = tally.snapshot()
    assert (day, counters.tickets, counters.identification_failures) == ("2026-11-24", 0, {})


async def test_the_hub_reachable_probe_sees_a_good_token_a_revoked_one_and_no_hub(fleet: FleetHub) -> None:
    credentials = await enrol(fleet.client, fleet.new_code(), "sanh-d-01")
    headers = {"Authorization": f"Bearer {credentials.token}"}
    transport = httpx.ASGITransport(app=fleet.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test", headers=headers) as http:
        probe = hub_reachable(http)
        assert (await probe(RemoteConfig())).ok
        with fleet.hub.writer() as session:
            revoke(session, credentials.kiosk_id, "it-admin", fleet.clock())
            session.commit()
        assert await probe(RemoteConfig()) == ProbeOutcome(False, "token refused")
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9") as nowhere:  # discard port: nothing listens
        outcome = await hub_reachable(nowhere, timeout_seconds=2)(RemoteConfig())
    assert not outcome.ok
    assert outcome.detail.startswith("unreachable")


async def test_an_it_alert_rides_on_the_next_heartbeat_to_the_kiosks_console_page(
    fleet: FleetHub, tmp_path: Path
) -> None:
    credentials = await enrol(fleet.client, fleet.new_code(), "sanh-e-01")
    app, alerts = App(), FleetAlerts()
    hooks = KioskHooks(
        apply=app.apply, probes={}, session_active=lambda: False, device_states=dict,
        funnel=FunnelTally(lambda: datetime(2026, 11, 23, 3, 0, tzinfo=UTC)), restart=app.restart,
        test_print=app.test_print, screenshot=app.screenshot, alerts=alerts,
    )  # fmt: skip
    transport = httpx.ASGITransport(app=fleet.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as down:
        fleet_runtime = FleetRuntime(
            down, ConfigStore(tmp_path / "cfg"), credentials, hooks, "0.1.0", clock=fleet.clock
        )
        await alerts.alert("printer_paper_out")
        await alerts.alert("Nguyễn Văn A 012345678901")  # not a code: must not travel as written
        with pytest.raises(httpx.HTTPStatusError):
            await fleet_runtime.sender.beat_once()  # no token: refused, the alerts wait for the next one
    assert alerts.waiting() == ["printer_paper_out", "unnamed"]
    headers = {"Authorization": f"Bearer {credentials.token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test", headers=headers) as http:
        fleet_runtime = FleetRuntime(
            http, ConfigStore(tmp_path / "cfg"), credentials, hooks, "0.1.0", clock=fleet.clock
        )
        await alerts.alert("wrong_maintenance_pin")
        assert fleet_runtime.sender.wake.is_set()  # a heartbeat goes out now rather than at the next interval
        await fleet_runtime.sender.beat_once()
        assert alerts.waiting() == []
        await fleet_runtime.sender.beat_once()  # an ordinary heartbeat after it does not hide the alert
    add_console_user(fleet.hub, "it-admin", Role.ADMIN)
    await log_in(fleet.client, "it-admin")
    page = (await fleet.client.get(f"/fleet/kiosks/{credentials.kiosk_id}")).text
    alerts_table = page.split('id="alerts"', 1)[1].split("</table>", 1)[0]
    assert "printer_paper_out" in alerts_table
    assert "unnamed" in alerts_table
    assert "wrong_maintenance_pin" in alerts_table
    assert "Nguyễn" not in page
    assert "012345678901" not in page
