"""The "Cần hỗ trợ / Need help" control in the real Kivy kiosk (offscreen SDL) against a real hub over HTTP on
loopback: a touch on the header's button and the keypad's call-staff key reach the reception's table with the
kiosk's location and screen, the banner and the voice say the staff were told; with the hub gone the patient is
told to walk to the desk. One Kivy app per process: one module, one test."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from kiosk.app import build_app, prepare_kivy, run_app
from kiosk.backend_client.client import HisClient
from kiosk.flow.events import Cancel
from kiosk.flow.fakes import FakePrinter
from kiosk.flow.service import FlowService
from kiosk.flow.state import HelpCall, Step
from kiosk.flow.transition import FlowConfig
from kiosk.i18n.catalogue import translate
from kiosk.speech.fake import RecordingVoice
from kiosk.speech.guide import SpeechGuide
from kiosk_hub.app import create_app
from kiosk_hub.help.models import HelpCall as HelpCallRow
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import enrol, seed
from tests.hub.servers import serve_in_thread

pytestmark = pytest.mark.ui
SIZE = (1080, 1920)
F3 = 284  # the keypad's call-staff key
WHERE = "Sảnh tầng 1, nhà A"


def test_a_patient_calls_the_staff_by_touch_and_by_key_and_is_told_when_the_hub_is_away(tmp_path: Path) -> None:
    prepare_kivy(SIZE, headless=True)
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    hub = build_hub(HubSettings(database_url=url))
    seed(hub)
    token = enrol(hub, "sanh-a-01")
    with contextlib.ExitStack() as server:
        base = server.enter_context(serve_in_thread(create_app(hub, background=False)))
        report = asyncio.run(_kiosk(hub, token, base, server, tmp_path))
    hub.engine.dispose()
    print(f"\ncall for help, touch to banner: {report['sent_ms']:.0f} ms; hub away told in {report['away_ms']:.0f} ms")


async def _kiosk(hub: Hub, token: str, base: str, server: contextlib.ExitStack, shots: Path) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        his = HisClient(http, token=token, base_url=base)
        clock = time.monotonic
        config = FlowConfig("Bệnh viện Đa khoa Demo", kiosk_location=WHERE)
        service = FlowService(config, his, FakePrinter(), monotonic=clock)
        voice = RecordingVoice()
        app = build_app(service, monotonic=clock, guide=SpeechGuide(voice, warning_s=config.warning_s))
        walk = Walk(app, service, voice, hub, server, shots)
        result: dict[str, Any] = await run_app(app, service, walk.all)
        return result


class Walk:
    def __init__(self, app: Any, service: FlowService, voice: RecordingVoice, hub: Hub, server: contextlib.ExitStack,
                 shots: Path) -> None:  # fmt: skip
        self.app, self.service, self.voice, self.hub, self.server, self.shots = app, service, voice, hub, server, shots

    async def settle(self) -> None:
        from kiosk.screens.pilot import frames

        await self.service.idle()
        await frames(3)

    async def key(self, code: int) -> None:
        from kivy.core.window import Window

        Window.dispatch("on_key_down", code, 0, None, [])
        Window.dispatch("on_key_up", code, 0)
        await self.settle()

    def banner(self) -> str:
        banner = self.app.root.ids.help_banner
        assert banner.shown == (self.service.session.help is not None)
        return str(banner.text)

    def calls(self) -> list[tuple[str, str]]:
        with self.hub.reader() as session:
            return [(c.location, c.screen) for c in session.scalars(select(HelpCallRow).order_by(HelpCallRow.asked_at))]

    async def all(self) -> dict[str, Any]:
        from kiosk.screens.pilot import frames, screenshot, tap_widget

        await frames(12)
        root = self.app.root
        assert root.ids.call_staff.text == "Cần hỗ trợ"
        assert self.banner() == ""
        started = time.perf_counter()
        tap_widget(root.ids.call_staff)  # a touch on the header's button, on the home screen
        await self.settle()
        sent_ms = (time.perf_counter() - started) * 1000
        assert self.service.session.help is HelpCall.SENT
        assert self.banner() == translate("call_staff.sent", "vi")
        assert self.calls() == [(WHERE, "home")]
        assert self.voice.said == []  # a touch leaves the voice off
        screenshot(root, self.shots / "call-staff-sent.png")

        self.service.dispatch(Cancel())  # the next patient, on the keypad
        await self.settle()
        assert self.banner() == ""
        await self.key(F3)
        assert self.service.session.help is HelpCall.SENT
        heard = [text for text, _language, _volume in self.voice.said]
        assert heard[-2:] == ["Đang gọi nhân viên tiếp đón.",
                              "Đã báo nhân viên tiếp đón. Xin chờ tại ki-ốt, nhân viên sẽ đến."]  # fmt: skip
        assert len(self.calls()) == 1  # the first call is still open: the hub answers it again
        await self.key(F3)  # pressed again: told again, nothing sent
        assert self.voice.last == "Đã báo nhân viên tiếp đón. Xin chờ tại ki-ốt, nhân viên sẽ đến."

        self.server.close()  # the hub is gone
        self.service.dispatch(Cancel())
        await self.settle()
        assert self.service.session.step == Step.HOME
        started = time.perf_counter()
        tap_widget(root.ids.call_staff)
        await self.settle()
        away_ms = (time.perf_counter() - started) * 1000
        assert self.service.session.help is HelpCall.HUB_AWAY
        assert self.banner() == translate("call_staff.hub_away", "vi")
        screenshot(root, self.shots / "call-staff-hub-away.png")
        await self.key(F3)  # asked again by key: tried again, and said
        assert self.service.session.help is HelpCall.HUB_AWAY
        assert self.voice.last == "Không gửi được yêu cầu hỗ trợ. Xin mời đến quầy tiếp đón."
        return {"sent_ms": sent_ms, "away_ms": away_ms}
