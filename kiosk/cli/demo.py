"""`kiosk demo`: the kiosk on the embedded hub with simulated chip, camera and printer.

With a screen it opens the kiosk window (keys 1–6 present demo patients' cards and QR codes). With no screen, or
with `--script`, it runs the scripted walkthrough headless and saves a PNG of every screen and every ticket.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

DEMO_PIN = "2468"  # the demo kiosk's maintenance PIN (five taps on the hospital's name)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("demo", help="run the kiosk demo on the embedded hub with simulated devices")
    parser.add_argument("--script", action="store_true", help="run the scripted walkthrough headless and exit")
    parser.add_argument("--screenshots", type=Path, help="where the walkthrough saves its PNGs")
    parser.add_argument("--landscape", action="store_true", help="1920×1080 instead of portrait 1080×1920")
    parser.add_argument("--high-contrast", action="store_true", help="yellow and white on black")
    parser.add_argument("--large-text", action="store_true", help="type a quarter larger")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.app import has_display, prepare_kivy

    scripted = args.script or not has_display()
    shots: Path | None = args.screenshots
    if scripted and shots is None:
        shots = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    size = (1920, 1080) if args.landscape else (1080, 1920)
    prepare_kivy(size, headless=(scripted and not has_display()) or args.script)
    from kiosk.screens import theme

    theme.use(theme.theme_for(high_contrast=args.high_contrast, large_text=args.large_text, landscape=args.landscape))
    if not args.script and scripted:
        print("No display found: running the scripted walkthrough headless instead.", file=sys.stderr)
    return asyncio.run(_demo(scripted, shots))


async def _demo(scripted: bool, shots: Path | None) -> int:
    from kiosk.app import build_app, run_app
    from kiosk.backend_client.client import HisClient
    from kiosk.cli._demo_devices import DemoClock, DemoPrinter, Devices
    from kiosk.embedded_hub import embedded_hub
    from kiosk.flow.chip_bridge import ChipBridge
    from kiosk.flow.maintenance import pin_digest
    from kiosk.flow.service import FlowService
    from kiosk.flow.transition import FlowConfig
    from kiosk.hardware.chip.fake import FakeChipReader

    clock = DemoClock()
    printer = DemoPrinter(pictures=shots)
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-hub-") as data:
        async with embedded_hub(Path(data), clock.wall) as hub:
            his = HisClient(hub.client, token=hub.token)
            config = FlowConfig(
                hospital_name=hub.hub.settings.hospital_name,
                kiosk_name="demo-kiosk",
                maintenance_pin_sha256=pin_digest(DEMO_PIN),
            )
            service = FlowService(config, his, printer, monotonic=clock.monotonic, wall=clock.wall)
            app = build_app(service, monotonic=clock.monotonic)
            reader = FakeChipReader()  # any key opens it: the demo's cards are made up
            bridge = ChipBridge(reader, service)
            watching = asyncio.ensure_future(bridge.watch())
            try:
                if not scripted:
                    _bind_demo_keys(service, reader, bridge)
                    await run_app(app, service)
                    return 0
                devices = Devices(printer=printer, reader=reader, bridge=bridge)
                results = await run_app(app, service, lambda: _script(app, service, hub, devices, clock, shots))
            finally:
                watching.cancel()
    return _report(results, shots, printer)


async def _script(app: Any, service: Any, hub: Any, devices: Any, clock: Any, shots: Path | None) -> Any:
    from kiosk.cli._demo_script import Walk, walkthrough

    walk = Walk(root=app.root, service=service, hub=hub, devices=devices, clock=clock, shots=shots)
    return await walkthrough(walk)


def _report(results: list[tuple[str, str | None]], shots: Path | None, printer: Any) -> int:
    for name, failure in results:
        print(json.dumps({"scenario": name, "ok": failure is None, "why": failure}, ensure_ascii=False))
    if shots is not None:
        print(f"Screenshots and ticket pictures: {shots}", file=sys.stderr)
    print(f"{len(printer.tickets)} tickets and {len(printer.slips)} desk slips printed", file=sys.stderr)
    return 0 if results and all(f is None for _, f in results) else 1


def _bind_demo_keys(service: Any, reader: Any, bridge: Any) -> None:
    from kivy.core.window import Window

    from kiosk.cli._demo_devices import bhyt_qr_text, cccd_qr_text, chip_card, demo_card

    def card_and_qr(code: str) -> None:
        # The patient places the CCCD on the reader and shows its QR: the QR's facts open the chip.
        reader.insert_card(chip_card(demo_card(code)))
        asyncio.get_event_loop().call_later(0.8, bridge.qr_scanned, cccd_qr_text(demo_card(code)))

    actions = {
        "1": lambda: card_and_qr("000"),
        "2": lambda: bridge.qr_scanned(cccd_qr_text(demo_card("000", 1))),
        "3": lambda: bridge.qr_scanned(bhyt_qr_text(demo_card("000", 2))),
        "4": lambda: card_and_qr("010"),
        "5": lambda: card_and_qr("004"),
        "6": lambda: card_and_qr("110"),
        "0": reader.remove_card,
    }
    print("Demo keys: 1 chip · 2 CCCD QR · 3 BHYT QR · 4 expired card · 5 new card · 6 revoked · 0 remove card")
    print(f"Maintenance: tap the hospital's name five times, PIN {DEMO_PIN}")

    def on_key(_window: Any, _key: int, _scancode: int, text: str | None, _mods: Any) -> bool:
        action = actions.get(text or "")
        if action is not None:
            action()
            return True
        return False

    Window.bind(on_key_down=on_key)
