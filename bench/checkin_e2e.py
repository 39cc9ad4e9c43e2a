"""Check-in speed and the kiosk's footprint.

1. Card present → ticket bytes confirmed by the printer, kiosk-side time only (the patient's three touches are
   events with no think time), p50/p95 over 50 check-ins: hub in-process (ASGI) and on loopback HTTP (uvicorn),
   printer = the ESC/POS stack over TCP to the test printer.
2. Kiosk cold start to the home screen drawn (Kivy offscreen, embedded hub), its RSS, and idle CPU at home.

Run: .venv/bin/python bench/checkin_e2e.py [--count 50]
Goals: p50 ≤ 1.0 s end to end, start ≤ 2 s, RSS ≤ 250 MB, idle CPU ≤ 3 %.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MORNING = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội: every department open
USABLE = [("000", 0), ("000", 1), ("000", 2), ("000", 3), ("003", 0), ("004", 0), ("100", 0), ("101", 0)]


@contextlib.asynccontextmanager
async def his_client(loopback: bool, data: Path) -> AsyncIterator[object]:
    import httpx

    from kiosk.backend_client.client import HisClient
    from kiosk.embedded_hub import embedded_hub
    from kiosk_hub.app import create_app
    from tests.hub.servers import serve_in_thread

    async with embedded_hub(data, lambda: MORNING) as hub:
        if not loopback:
            yield HisClient(hub.client, token=hub.token)
            return
        with serve_in_thread(create_app(hub.hub, background=False)) as url:
            async with httpx.AsyncClient(base_url=url) as http:
                yield HisClient(http, token=hub.token)


async def check_ins(loopback: bool, count: int) -> list[float]:
    from kiosk.demo.devices import chip_identity, demo_card
    from kiosk.domain.ticket import VisitType
    from kiosk.flow.events import CardPresented, CardRemoved, ChooseDepartment, ChooseVisit, Confirm
    from kiosk.flow.service import FlowService
    from kiosk.flow.state import Step
    from kiosk.flow.transition import FlowConfig
    from kiosk.hardware.printer.blocks import PrinterProfile
    from kiosk.hardware.printer.ticket_printer import EscposTicketPrinter
    from tests.support.escpos_fake import FakePrinterServer

    server = FakePrinterServer().start()
    printer = EscposTicketPrinter.from_uri(server.uri, PrinterProfile())
    times: list[float] = []
    with tempfile.TemporaryDirectory() as data:
        async with his_client(loopback, Path(data)) as his:
            service = FlowService(FlowConfig("Bệnh viện Đa khoa Demo"), his, printer, wall=lambda: MORNING)  # type: ignore[arg-type]
            pairs = [(c, d) for d in range(8) for c in USABLE]
            for n in range(count + 1):  # the first round warms caches and connections; not counted
                (code, nth), dept_index = pairs[n % len(pairs)]
                started = time.perf_counter()
                service.dispatch(CardPresented(chip_identity(demo_card(code, nth))))
                await service.idle()
                service.dispatch(ChooseVisit(VisitType.BHYT))
                await service.idle()
                departments = [d for d in service.session.departments if d.open_now]
                service.dispatch(ChooseDepartment(departments[dept_index % len(departments)].id))
                service.dispatch(Confirm())
                await service.idle()
                elapsed = time.perf_counter() - started
                if service.session.step != Step.DONE:
                    raise SystemExit(f"check-in {n} ended at {service.session.step}")
                if n:
                    times.append(elapsed)
                service.dispatch(CardRemoved())
    printer.close()
    server.power_off()
    return times


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


CHILD = """
import contextlib, os, sys, time, asyncio, tempfile
from pathlib import Path
sys.path.insert(0, {repo!r})
from kiosk.app import prepare_kivy, build_app, run_app
prepare_kivy(headless=True)
from kiosk.backend_client.client import HisClient
from kiosk.flow.fakes import FakePrinter
from kiosk.flow.service import FlowService
from kiosk.flow.transition import FlowConfig

async def main():
    with tempfile.TemporaryDirectory() as data:
        async with contextlib.AsyncExitStack() as stack:
            if os.environ["HUB"] == "embedded":
                # Imported only here: a kiosk on a remote hub never loads the hub's code (FastAPI, SQLAlchemy).
                from kiosk.embedded_hub import embedded_hub
                hub = await stack.enter_async_context(embedded_hub(Path(data)))
                his = HisClient(hub.client, token=hub.token)
            else:  # a kiosk whose hub is elsewhere: the client is built, nothing is asked before a patient comes
                import httpx
                http = await stack.enter_async_context(httpx.AsyncClient(base_url="http://127.0.0.1:9"))
                his = HisClient(http, token="kh_unused")
            service = FlowService(FlowConfig("Bệnh viện"), his, FakePrinter())
            app = build_app(service, monotonic=time.monotonic)
            async def ready():
                from kivy.clock import Clock
                drawn = asyncio.Event()
                Clock.schedule_once(lambda dt: drawn.set(), 0)
                await drawn.wait()
                print("READY", flush=True)
                await asyncio.sleep(float(os.environ["IDLE_S"]) + 2)
            await run_app(app, service, ready)
asyncio.run(main())
"""


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_and_idle(idle_s: float, hub: str) -> tuple[float, float, float]:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", IDLE_S=str(idle_s), HUB=hub)
    env.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="bench-kivy-"))
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(repo=str(REPO))],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("READY"):
            break
    start_s = time.perf_counter() - started
    time.sleep(1.0)  # let the first frames settle before measuring idleness
    ticks0, t0 = cpu_ticks(child.pid), time.perf_counter()
    time.sleep(idle_s)
    ticks1, t1 = cpu_ticks(child.pid), time.perf_counter()
    rss = rss_mb(child.pid)
    child.terminate()
    child.wait(timeout=20)
    cpu_percent = 100 * (ticks1 - ticks0) / os.sysconf("SC_CLK_TCK") / (t1 - t0)
    return start_s, rss, cpu_percent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    args = parser.parse_args()
    for loopback in (False, True):
        times = asyncio.run(check_ins(loopback, args.count))
        where = "loopback HTTP" if loopback else "in-process ASGI"
        print(
            f"check-in, hub {where}: n={len(times)} p50={percentile(times, 50) * 1000:.0f} ms "
            f"p95={percentile(times, 95) * 1000:.0f} ms max={max(times) * 1000:.0f} ms "
            f"mean={statistics.mean(times) * 1000:.0f} ms"
        )
    for hub in ("remote", "embedded"):
        start_s, rss, cpu = start_and_idle(args.idle_seconds, hub)
        print(
            f"kiosk with {hub} hub: cold start to home screen {start_s:.2f} s; "
            f"RSS at home {rss:.0f} MB; idle CPU {cpu:.1f} %"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
