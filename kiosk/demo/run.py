"""`kiosk demo`'s composition: the flow on the embedded hub, the demo's printer (keeps and pictures what it printed),
a fake chip reader and a clock that can jump; then either the window with demo keys or the scripted walkthrough."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from kiosk.app import build_app, run_app
from kiosk.backend_client.client import HisClient
from kiosk.demo.devices import DemoClock, DemoPrinter, Devices, bhyt_qr_text, cccd_qr_text, chip_card, demo_card
from kiosk.demo.script import Walk, walkthrough
from kiosk.embedded_hub import embedded_hub
from kiosk.flow.chip_bridge import ChipBridge
from kiosk.flow.maintenance import pin_digest
from kiosk.flow.service import FlowService
from kiosk.flow.transition import FlowConfig
from kiosk.hardware.chip.fake import FakeChipReader

DEMO_PIN = "2468"  # the demo kiosk's maintenance PIN (five taps on the hospital's name)


async def demo(scripted: bool, shots: Path | None) -> int:
    """Call after `prepare_kivy`. Scripted: every scenario, a JSON line each, exit code 1 if one misbehaved."""
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
            app.title = "Kiosk — DEMO"
            reader = FakeChipReader()  # any key opens it: the demo's cards are made up
            bridge = ChipBridge(reader, service)
            watching = asyncio.ensure_future(bridge.watch())
            try:
                if not scripted:
                    _bind_demo_keys(reader, bridge)
                    await run_app(app, service)
                    return 0
                devices = Devices(printer=printer, reader=reader, bridge=bridge)

                async def script() -> list[tuple[str, str | None]]:
                    walk = Walk(root=app.root, service=service, hub=hub, devices=devices, clock=clock, shots=shots)
                    return await walkthrough(walk)

                results = await run_app(app, service, script)
            finally:
                watching.cancel()
    return _report(results, shots, printer)


def _report(results: list[tuple[str, str | None]], shots: Path | None, printer: DemoPrinter) -> int:
    for name, failure in results:
        print(json.dumps({"scenario": name, "ok": failure is None, "why": failure}, ensure_ascii=False))
    if shots is not None:
        print(f"Screenshots and ticket pictures: {shots}", file=sys.stderr)
    print(f"{len(printer.tickets)} tickets and {len(printer.slips)} desk slips printed", file=sys.stderr)
    return 0 if results and all(f is None for _, f in results) else 1


def _bind_demo_keys(reader: FakeChipReader, bridge: ChipBridge) -> None:
    from kivy.core.window import Window

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
