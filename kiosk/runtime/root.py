"""The installed kiosk, built in dependency order from its settings and run until the app ends: the panel, the
checks that it may serve (the settings are not a demo's, the kiosk is enrolled and accepted: else the out-of-service
panel), the state on disk, the printer, the line to the hub, the flow, the chip reader and camera, the voice, the
app, the fleet's view of it all, and the tasks beside the app. Each object is built after everything it needs."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.app import prepare_kivy, run_app
from kiosk.domain.out_of_service import OutOfService
from kiosk.flow.maintenance import pin_digest
from kiosk.flow.ports import PrinterPort
from kiosk.flow.transition import FlowConfig
from kiosk.panel import Panel, PanelUnavailableError, open_window, plan_panel
from kiosk.remote_config import live
from kiosk.remote_config.schema import DeviceState
from kiosk.runtime import devices
from kiosk.runtime.display import DisplayMonitor
from kiosk.runtime.out_of_service import Board, changed, show_out_of_service, wait_for
from kiosk.runtime.state import StartingPoint, StateDir
from kiosk.settings import KioskSettings, ScreenSettings, refusals

if TYPE_CHECKING:
    from kiosk.flow.chip_bridge import ChipBridge
    from kiosk.flow.service import FlowService
    from kiosk.hardware.camera.scanner import CameraScanner
    from kiosk.screens.app import KioskApp

log = logging.getLogger("kiosk.run")


PANEL_UNAVAILABLE_EXIT_CODE = 69  # EX_UNAVAILABLE: the panel cannot be opened (the journal says why)


def run_kiosk(settings: KioskSettings, *, settings_file: Path | None = None, windowed: bool = False) -> int:
    """Open the panel, then serve patients, or say on the panel why not; return the process's exit code (75:
    restart me, 69: no panel)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    panel = _open_panel(settings.screen, windowed=windowed)
    if panel is None:
        return PANEL_UNAVAILABLE_EXIT_CODE
    watched = [settings_file] if settings_file is not None else []
    return asyncio.run(_serve(settings, panel, watched))


def show_bad_settings(settings_file: Path, problems: list[str]) -> int | None:
    """A settings file that cannot be used, said on the panel (opened with the defaults) until IT edits the file;
    None when not even the panel opens."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if _open_panel(ScreenSettings(), windowed=False) is None:
        return None
    board = Board("", OutOfService.BAD_SETTINGS, "; ".join(problems))
    return asyncio.run(show_out_of_service(board, lambda _b: wait_for(changed([settings_file]))))


def _open_panel(screen: ScreenSettings, *, windowed: bool) -> Panel | None:
    try:
        panel = plan_panel(screen)
        prepare_kivy(
            panel.window, driver=panel.driver, rotation=panel.rotation, fullscreen=screen.fullscreen and not windowed,
            multisamples=screen.multisamples,
        )  # fmt: skip
        from kiosk.screens import theme

        theme.use(
            theme.theme_for(screen.high_contrast, screen.large_text, landscape=panel.landscape,
                            diagonal_inches=screen.diagonal_inches)
        )  # fmt: skip
        open_window(panel.driver)
    except PanelUnavailableError as exc:
        log.error("%s", exc.log_line())
        return None
    log.info("panel: %s %d×%d, rotation %d (%s)", panel.driver, *panel.size, panel.rotation, panel.why)
    return panel


async def _serve(settings: KioskSettings, panel: Panel, watched: list[Path]) -> int:
    refused = refusals(settings)
    if refused:
        board = Board(settings.kiosk_name, OutOfService.DEMO_ONLY, "; ".join(refused) + ": set demo = true if meant")
        return await show_out_of_service(board, lambda _b: wait_for(changed(watched)))
    if settings.demo:
        log.warning("DEMO kiosk: simulated devices or the demo hub are allowed by demo = true; not for patients")
    state = StateDir.from_environment()
    if settings.hub.mode == "remote" and settings.hub.token is None:
        from kiosk.runtime.admission import admit, hub_http

        async with hub_http(settings.hub) as http:
            admission = await admit(http, settings, state, watched)
            if admission.problem is not None and admission.recovery is not None:
                board = Board(settings.kiosk_name, *admission.problem)
                return await show_out_of_service(board, admission.recovery)
    return await _run(settings, panel, state)


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
        kiosk_location=settings.location,
        maintenance_pin_sha256=pin_digest(pin.get_secret_value()) if pin else None,
    )


async def _run(settings: KioskSettings, panel: Panel, state: StateDir) -> int:
    from kiosk.flow.chip_bridge import ChipBridge
    from kiosk.flow.service import FlowService
    from kiosk.offline.health import OfflineHealth
    from kiosk.remote_config.alerts import FleetAlerts
    from kiosk.runtime.background import Background
    from kiosk.runtime.fleet import RunningKiosk
    from kiosk.runtime.hub import hub_line

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
        display = DisplayMonitor(panel)
        display.start()
        kiosk = RunningKiosk(
            service, base, printer, departments, _printer_factory(settings), local.printer, local.paper_mm,
            reader=bridge, camera=scanner, app=app, alerts=alerts, offline=offline, display=display,
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
