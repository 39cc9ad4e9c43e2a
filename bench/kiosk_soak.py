"""The kiosk's memory over many patients: does it level off, or grow with every session?

Runs the demo's scripted walkthrough (real Kivy screens offscreen, every scenario: chip, QR, BHYT QR, expired and
new cards, outages, lookup, idle timeout, paper-out, maintenance) round after round in one process, a day apart on
the demo clock, with no screenshots, and prints VmRSS after each round. The embedded hub runs in the same process
(FastAPI, SQLAlchemy, a growing SQLite file): an upper bound for a kiosk whose hub is elsewhere.

Run: .venv/bin/python bench/kiosk_soak.py [--rounds 8]
What to read: the growth per round once the first rounds have loaded every screen; it should be ~0.
From round 2 on the booking scenario is left out: its appointments are seeded for the demo's first day.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def soak(rounds: int) -> list[tuple[int, float, int, float]]:
    from kiosk.app import build_app, run_app
    from kiosk.backend_client.client import HisClient
    from kiosk.demo.check_ins import appointment_qr_check_in
    from kiosk.demo.devices import DemoClock, DemoPrinter, Devices
    from kiosk.demo.run import DEMO_PIN
    from kiosk.demo.script import SCENARIOS, Walk, walkthrough
    from kiosk.embedded_hub import embedded_hub
    from kiosk.flow.chip_bridge import ChipBridge
    from kiosk.flow.maintenance import pin_digest
    from kiosk.flow.service import FlowService
    from kiosk.flow.transition import FlowConfig
    from kiosk.hardware.chip.fake import FakeChipReader

    clock = DemoClock()
    printer = DemoPrinter()
    rows: list[tuple[int, float, int, float]] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-soak-") as data:
        async with embedded_hub(Path(data), clock.wall) as hub:
            config = FlowConfig("Bệnh viện", kiosk_name="soak-kiosk", maintenance_pin_sha256=pin_digest(DEMO_PIN))
            service = FlowService(
                config, HisClient(hub.client, token=hub.token), printer, monotonic=clock.monotonic, wall=clock.wall
            )
            app = build_app(service, monotonic=clock.monotonic)
            reader = FakeChipReader()
            bridge = ChipBridge(reader, service)
            watching = asyncio.ensure_future(bridge.watch())

            async def rounds_of_patients() -> None:
                walk = Walk(app.root, service, hub, Devices(printer=printer, reader=reader, bridge=bridge), clock, None)
                for n in range(1, rounds + 1):
                    started = time.perf_counter()
                    day_one_only = (appointment_qr_check_in,) if n > 1 else ()
                    results = await walkthrough(walk, tuple(s for s in SCENARIOS if s not in day_one_only))
                    failed = sum(1 for _, why in results if why is not None)
                    printer.tickets.clear()  # the demo printer keeps what it printed; a real one does not
                    printer.slips.clear()
                    gc.collect()
                    await asyncio.sleep(1.5)  # the kiosk gives freed memory back a second after each patient
                    rows.append((n, rss_mb(), failed, time.perf_counter() - started))
                    why = "; ".join(f"{name}: {reason}" for name, reason in results if reason is not None)
                    print(f"round {n}: RSS {rows[-1][1]:.0f} MB, {failed} scenarios failed {why}", flush=True)
                    clock.skip(24 * 3600)  # the next day: same patients, new tickets rather than reprints

            try:
                await run_app(app, service, rounds_of_patients)
            finally:
                watching.cancel()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    from kiosk.app import prepare_kivy

    prepare_kivy(headless=True)
    rows: Any = asyncio.run(soak(args.rounds))
    if len(rows) >= 4:
        settled = [(n, mb) for n, mb, _failed, _s in rows[1:]]
        slope = statistics.linear_regression([n for n, _ in settled], [mb for _, mb in settled]).slope
        low, high = min(mb for _, mb in settled), max(mb for _, mb in settled)
        later = f"rounds 2–{rows[-1][0]}: {low:.0f}–{high:.0f} MB, trend {slope:+.1f} MB/round"
        print(f"RSS after round 1 {rows[0][1]:.0f} MB; {later}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
