"""`kiosk camera check`: open the configured QR camera, report what it delivers and whether a code is seen.

Prints one JSON object: status, resolution, fps asked for and measured, frames decoded, and the kinds of any
payloads seen (never the payloads themselves: a CCCD QR holds a name and an address).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from pathlib import Path
from typing import Any

from kiosk.domain.payload import classify
from kiosk.hardware.camera.capture_adapter import build_camera_scanner
from kiosk.hardware.camera.port import CameraSettings, CameraStatus
from kiosk.hardware.camera.scanner import CameraScanner
from kiosk.settings import SettingsError, load_settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("camera", help="QR camera tools")
    actions = parser.add_subparsers(dest="camera_action", required=True, metavar="ACTION")
    check = actions.add_parser("check", help="open the camera for a few seconds and report")
    defaults = CameraSettings()
    check.add_argument("--config", type=Path, help="the kiosk's settings TOML: its devices.camera is used")
    check.add_argument("--device", help=f"/dev/videoN, an index, a video file, or VIRTUAL (default {defaults.device})")
    check.add_argument("--width", type=int, default=defaults.width)
    check.add_argument("--height", type=int, default=defaults.height)
    check.add_argument("--fps", type=int, default=defaults.fps)
    check.add_argument("--seconds", type=float, default=3.0, help="how long to look for a code")
    check.set_defaults(handler=run_check)


async def check_camera(scanner: CameraScanner, seconds: float) -> dict[str, Any]:
    scanner.start()
    kinds: list[str] = []
    started = time.monotonic()
    try:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    scan = await scanner.next_scan()
                    kinds.append(classify(scan.payload).kind.value)
        status = scanner.status
    finally:
        await scanner.stop()
    elapsed = time.monotonic() - started
    info = scanner.info
    return {
        "status": status.value if status is not CameraStatus.STARTING else CameraStatus.UNAVAILABLE.value,
        "width": info.width if info else None,
        "height": info.height if info else None,
        "fps_reported": info.fps if info else None,
        "fourcc": info.fourcc if info else None,
        "fps_measured": round(scanner.counters.grabbed / elapsed, 1),
        "frames_decoded": scanner.counters.decoded,
        "code_seen": bool(kinds),
        "payload_kinds": kinds,
    }


def _device(args: argparse.Namespace) -> str | int:
    named = args.device
    if named is None and args.config is not None:
        named = load_settings(args.config).devices.camera
    if named is None:
        return CameraSettings().device
    return int(named) if str(named).isdigit() else str(named)


def run_check(args: argparse.Namespace) -> int:
    try:
        device = _device(args)
    except SettingsError as error:
        print(json.dumps({"status": "config_error", "problems": error.problems}, ensure_ascii=False))
        return 2
    settings = CameraSettings(device=device, width=args.width, height=args.height, fps=args.fps)
    report = asyncio.run(check_camera(build_camera_scanner(settings), args.seconds))
    print(json.dumps(report, ensure_ascii=False))
    return 0 if report["status"] == CameraStatus.SCANNING.value else 2
