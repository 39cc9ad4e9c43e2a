"""The installed kiosk, built in dependency order from its settings and run until the app ends: the window, the
state on disk, the printer, the line to the hub, the flow, the chip reader and camera, the voice, the app, the
fleet's view of it all, and the tasks beside the app. Each object is built after everything it needs."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.app import prepare_kivy, run_app
from kiosk.flow.maintenance import pin_digest
from kiosk.flow.ports import PrinterPort
from kiosk.flow.transition import FlowConfig
from kiosk.remote_config import live
from kiosk.remote_config.schema import DeviceState
from kiosk.runtime import devices
from kiosk.runtime.state import StartingPoint, StateDir
from kiosk.settings import KioskSettings

if TYPE_CHECKING:
    from kiosk.flow.chip_bridge import ChipBridge
    from kiosk.flow.service import FlowService
    from kiosk.hardware.camera.scanner import CameraScanner
    from kiosk.screens.app import KioskApp

log = logging.getLogger("kiosk.run")


def run_kiosk(settings: KioskSettings, *, windowed: bool = False) -> int:
    """Set Kivy up for the panel, run the kiosk, and return the process's exit code (75: restart me)."""
    screen = settings.screen
    prepare_kivy(screen.size, fullscreen=screen.fullscreen and not windowed, multisamples=screen.multisamples)
    from kiosk.screens import theme

    landscape = screen.orientation == "landscape"
    theme.use(
        theme.theme_for(screen.high_contrast, screen.large_text, landscape=landscape,
                        diagonal_inches=screen.diagonal_inches)
    )  # fmt: skip
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return asyncio.run(_run(settings))


def flow_config(settings: KioskSettings) -> FlowConfig:
    """The flow's settings from the settings file (the fleet's fields are laid over them: `live.flow_config`)."""
    session, pin = settings.session, settings.maintenance_pin
    return FlowConfig(
        hospital_name=settings.hospital_name,
        idle_after_s=session.idle_after_s,
        warning_s=session.warning_s,
        paper_in_hand_s=session.paper_in_hand_s,
        language=settings.screen.language,
        kiosk_name=settings.kiosk_name,
        maintenance_pin_sha256=pin_digest(pin.get_secret_value()) if pin else None,
    )


async def _run(settings: KioskSettings) -> int:
    from kiosk.flow.chip_bridge import ChipBridge
    from kiosk.flow.service import FlowService
    from kiosk.offline.health import OfflineHealth
    from kiosk.remote_config.alerts import FleetAlerts
    from kiosk.runtime.background import Background
    from kiosk.runtime.fleet import RunningKiosk
    from kiosk.runtime.hub import hub_line

    state = StateDir.from_environment()
    start = StartingPoint.of(settings, state)
    local = settings.devices
    printer = live.LivePrinter(devices.printer(local.printer, local.paper_mm, local.printer_confirm_with),
                               local.printer, local.paper_mm)  # fmt: skip
    async with hub_line(settings, state) as hub:
        base = flow_config(settings)
        departments = live.ShownDepartments(hub.his)
        alerts = FleetAlerts()
        # The configuration in effect from the first patient on (the voice's idle warning reads it at start).
        config = live.flow_config(base, start.config)
        service = FlowService(config, departments, printer, alerts=alerts, payments=hub.payments)
        offline = OfflineHealth(hub.his, printer)
        offline.follow(service)  # before the app's own listener: the banner reads the breakers' view
        scanner = devices.camera(start.camera_device)
        reader = devices.chip_reader(start.reader_name, start.trust_anchor_files(state) or None)
        bridge = ChipBridge(reader, service)
        app = _app(settings, service, bridge, scanner)
        kiosk = RunningKiosk(
            service, base, printer, departments, _printer_factory(settings), local.printer, local.paper_mm,
            reader=bridge, camera=scanner, app=app, alerts=alerts, offline=offline,
        )  # fmt: skip
        await kiosk.apply(start.config)  # the departments and the printer the fleet chose before the restart
        background = Background(kiosk, reader, bridge)
        jack = devices.headphone_jack(settings.speech, app.keypad.headphones_changed) if app.keypad else None
        background.start(scanner, jack, hub.fleet, start)
        try:
            await run_app(app, service)
        finally:
            await background.stop()
    return kiosk.exit_code


def _printer_factory(settings: KioskSettings) -> Callable[[str, int], PrinterPort]:
    """How the fleet opens another printer (a URI from the console): as the settings file's printer is opened."""
    confirm_with = settings.devices.printer_confirm_with
    return functools.partial(devices.printer, confirm_with=confirm_with)


def _app(settings: KioskSettings, service: FlowService, bridge: ChipBridge, scanner: CameraScanner | None) -> KioskApp:
    from kiosk.app import build_app
    from kiosk.speech.settings import build_guide

    guide = build_guide(settings.speech, service.config.warning_s)

    def preview() -> tuple[int, int, bytes] | None:
        frame = scanner.preview() if scanner is not None else None
        return (frame.width, frame.height, frame.rgb) if frame is not None else None

    def health() -> tuple[bool, bool]:
        return bridge.reader_ok, devices.camera_state(scanner) is DeviceState.OK

    return build_app(service, monotonic=time.monotonic, preview=preview, devices=health, guide=guide)
