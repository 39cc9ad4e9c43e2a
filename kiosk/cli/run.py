"""`kiosk run --config FILE`: the kiosk as installed in a lobby: full screen, devices and hub from the settings."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.remote_config.kiosk_fleet import RunningKiosk

DEFAULT_CONFIG = Path("/etc/kiosk/kiosk.toml")
log = logging.getLogger("kiosk.run")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("run", help="run the kiosk full screen with the devices in the settings file")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help=f"settings file (default {DEFAULT_CONFIG})")
    parser.add_argument("--windowed", action="store_true", help="a window instead of full screen (set-up, testing)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.settings import SettingsError, load_settings, settings_from_environment

    try:
        if args.config == DEFAULT_CONFIG and not args.config.exists():
            settings = settings_from_environment(os.environ)  # installed by systemd/install.sh: env file only
        else:
            settings = load_settings(args.config)
    except SettingsError as exc:
        print(json.dumps({"error": "bad_settings", "problems": exc.problems}, ensure_ascii=False), file=sys.stderr)
        return 2
    from kiosk.app import prepare_kivy
    from kiosk.screens import theme

    prepare_kivy(
        settings.screen.size,
        fullscreen=settings.screen.fullscreen and not args.windowed,
        multisamples=settings.screen.multisamples,
    )
    theme.use(
        theme.theme_for(
            settings.screen.high_contrast,
            settings.screen.large_text,
            landscape=settings.screen.orientation == "landscape",
            diagonal_inches=settings.screen.diagonal_inches,
        )
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return asyncio.run(_run(settings))


@contextlib.asynccontextmanager
async def _his(settings: Any) -> AsyncIterator[tuple[Any, Any]]:
    """(the HIS port, the fleet's (http client, credentials) or None): the fleet needs an enrolled kiosk."""
    import httpx

    from kiosk.backend_client.client import HisClient, Timeouts

    timeouts = Timeouts(default_s=settings.hub.timeout_s)
    if settings.hub.mode == "embedded":
        from kiosk.embedded_hub import embedded_hub

        with tempfile.TemporaryDirectory(prefix="kiosk-hub-") as data:
            async with embedded_hub(Path(data)) as hub:
                yield HisClient(hub.client, token=hub.token, timeouts=timeouts), None
        return
    async with httpx.AsyncClient(base_url=settings.hub.base_url) as http:
        credentials = None if settings.hub.token else await _enrolled(http, settings)
        token = credentials.token if credentials else settings.hub.token.get_secret_value()
        from kiosk.offline.wiring import resilient  # leases + encrypted journal: tickets keep coming in an outage

        async with resilient(HisClient(http, token=token, timeouts=timeouts), http, token) as his:
            if credentials is None:
                log.info("hub token from the settings file: not enrolled, so no fleet configuration or heartbeats")
                yield his, None
                return
            auth = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(base_url=settings.hub.base_url, headers=auth, timeout=10) as fleet_http:
                yield his, (fleet_http, credentials)


def _state_dir() -> Path:
    return Path(os.environ.get("KIOSK_STATE_DIR", "/var/lib/vn-hospital-kiosk"))


async def _enrolled(http: Any, settings: Any) -> Any:
    """The credentials saved at enrolment, or enrol now with the one-time code from the environment file."""
    from kiosk.remote_config.enrolment import enrol, load_credentials, save_credentials

    path = _state_dir() / "credentials.json"
    if path.exists():
        return load_credentials(path)
    code = os.environ.get("KIOSK_ENROLMENT_CODE", "")
    if not code:
        raise SystemExit("not enrolled: set KIOSK_ENROLMENT_CODE (from the hub console) or hub.token in the settings")
    credentials = await enrol(http, code, settings.kiosk_name)
    save_credentials(path, credentials)
    return credentials


def _printer(settings: Any, uri: str | None = None, paper_mm: int | None = None) -> Any:
    """The printer at `uri` (default: the settings file's); the fleet may ask for another one."""
    from kiosk.settings import VIRTUAL

    uri = uri if uri is not None else settings.devices.printer
    paper_mm = paper_mm if paper_mm is not None else settings.devices.paper_mm
    if uri == VIRTUAL:
        from kiosk.cli._demo_devices import DemoPrinter

        return DemoPrinter()
    from kiosk.hardware.printer.blocks import ConfirmWith, PaperWidth, PrinterProfile
    from kiosk.hardware.printer.ticket_printer import EscposTicketPrinter

    paper = PaperWidth.MM58 if paper_mm == 58 else PaperWidth.MM80
    profile = PrinterProfile(paper=paper, confirm_with=ConfirmWith(settings.devices.printer_confirm_with))
    return EscposTicketPrinter.from_uri(uri, profile)


def _camera(camera: str) -> Any:
    from kiosk.hardware.camera.capture_adapter import build_camera_scanner
    from kiosk.hardware.camera.port import CameraSettings
    from kiosk.settings import VIRTUAL

    if camera == VIRTUAL:
        return None
    device: str | int = int(camera) if camera.isdigit() else camera
    return build_camera_scanner(CameraSettings(device=device))


def _flow_config(settings: Any) -> Any:
    from kiosk.flow.maintenance import pin_digest
    from kiosk.flow.transition import FlowConfig

    session = settings.session
    return FlowConfig(
        hospital_name=settings.hospital_name,
        idle_after_s=session.idle_after_s,
        warning_s=session.warning_s,
        paper_in_hand_s=session.paper_in_hand_s,
        language=settings.screen.language,
        kiosk_name=settings.kiosk_name,
        maintenance_pin_sha256=pin_digest(settings.maintenance_pin.get_secret_value())
        if settings.maintenance_pin
        else None,
    )


async def _run(settings: Any) -> int:
    from kiosk.app import run_app
    from kiosk.cli._run_tasks import shut_down, start_background
    from kiosk.flow.chip_bridge import ChipBridge

    store, remote, reader_name, camera_device = _remote_at_start(settings)
    printer = _live_printer(settings)
    async with _his(settings) as (his, fleet):
        # The device checks are only called once the app runs: by then the bridge and scanner built below exist.
        kiosk = _running_kiosk(
            settings, his, printer, reader_ok=lambda: bridge.reader_ok, camera_state=lambda: _camera_state(scanner)
        )
        await kiosk.apply(remote)  # what was applied before the restart, and the restart-only fields above
        scanner = _camera(camera_device)
        reader = _chip_reader(remote, reader_name)
        bridge = ChipBridge(reader, kiosk.service)
        kiosk.app = _kiosk_app(settings, kiosk.service, bridge, scanner)
        stop = asyncio.Event()
        tasks = start_background(kiosk, reader, bridge, scanner, stop, fleet, store)
        try:
            await run_app(kiosk.app, kiosk.service)
        finally:
            await shut_down(stop, tasks, printer)
    return kiosk.exit_code


def _remote_at_start(settings: Any) -> tuple[Any, Any, str, str]:
    """(the fleet's config store or None, the configuration last applied, chip reader, camera): a remote kiosk
    starts as the fleet left it, since reader and camera are only chosen at start."""
    from kiosk.remote_config import live
    from kiosk.remote_config.schema import RemoteConfig
    from kiosk.remote_config.store import ConfigStore

    devices = settings.devices
    store = ConfigStore(_state_dir() / "remote-config") if settings.hub.mode == "remote" else None
    remote, _version = store.effective() if store is not None else (RemoteConfig(), 0)
    reader_name, camera_device = live.at_start(remote, devices.chip_reader, devices.camera)
    return store, remote, reader_name, camera_device


def _live_printer(settings: Any) -> Any:
    from kiosk.offline.guarded_printer import GuardedPrinter  # a dead printer is not asked again for 15 s
    from kiosk.remote_config import live

    uri, paper = settings.devices.printer, settings.devices.paper_mm
    return live.LivePrinter(GuardedPrinter(_printer(settings, uri, paper)), uri, paper)


def _running_kiosk(
    settings: Any, his: Any, printer: Any, reader_ok: Callable[[], bool], camera_state: Callable[[], Any]
) -> RunningKiosk:
    """The flow service on the hub and printer, with what the fleet acts on and the offline banner's view."""
    from kiosk.flow.service import FlowService
    from kiosk.offline.guarded_printer import GuardedPrinter
    from kiosk.offline.health import OfflineHealth
    from kiosk.remote_config import live
    from kiosk.remote_config.kiosk_fleet import RunningKiosk

    shown = live.ShownDepartments(his)
    kiosk = RunningKiosk(
        service=FlowService(_flow_config(settings), shown, printer),
        base_config=_flow_config(settings),
        printer=printer,
        departments=shown,
        make_printer=lambda new_uri, new_paper: GuardedPrinter(_printer(settings, new_uri, new_paper)),
        local_printer_uri=settings.devices.printer,
        local_paper_mm=settings.devices.paper_mm,
        reader_ok=reader_ok,
        camera_state=camera_state,
    )
    kiosk.service.alerts = kiosk.alerts
    # Before the app's own listener, so the banner reads the breakers' view of the hub and the printer.
    kiosk.offline = OfflineHealth(his, printer=lambda: printer.current)
    kiosk.offline.follow(kiosk.service)
    return kiosk


def _chip_reader(remote: Any, reader_name: str) -> Any:
    from kiosk.hardware.chip.factory import build_chip_reader
    from kiosk.remote_config import live

    anchors = live.trust_anchor_files(remote, _state_dir() / "trust-anchors") if remote.trust_anchors_pem else []
    return build_chip_reader(reader_name, anchors or None)


def _kiosk_app(settings: Any, service: Any, bridge: Any, scanner: Any) -> Any:
    from kiosk.app import build_app

    def preview() -> tuple[int, int, bytes] | None:
        frame = scanner.preview() if scanner is not None else None
        return (frame.width, frame.height, frame.rgb) if frame is not None else None

    def health() -> tuple[bool, bool]:
        return bridge.reader_ok, _camera_state(scanner).value == "ok"

    return build_app(service, monotonic=time.monotonic, preview=preview, devices=health, speech=settings.speech)


def _camera_state(scanner: Any) -> Any:
    from kiosk.remote_config.schema import DeviceState

    if scanner is None:
        return DeviceState.OK  # simulated (VIRTUAL): the QR comes from the keypad or the demo
    return DeviceState.MISSING if scanner.status.value == "unavailable" else DeviceState.OK
