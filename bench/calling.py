"""Calling figures: a call → every connected waiting-room screen shows it, and every phone page following a ticket
of that department hears of its new place; p50/p99 from the moment the call is sent, and the hub's memory per
connected screen and phone.

Run: .venv/bin/python bench/calling.py [--screens 100] [--phones 200] [--calls 40] [--hubs 1] [--postgres]

Fresh database each run; `kiosk-hub serve` processes on loopback (`--hubs 2`: calls go to the first, screens and
phones are spread over all, so the figure includes the other processes' polling of the call log). Screens enrol
with one-time codes like real ones; phones follow real tickets (the last ones, which stay waiting, so each call
moves every phone's position). Clients are raw asyncio sockets reading the event streams: the load generator costs
far less CPU than the hub it measures. The goal on this machine: p99 ≤ 500 ms with 100 screens and 200 phones.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk_hub.calling import screens as screen_book
from kiosk_hub.calling.areas import AreaSettings, save_area
from kiosk_hub.hub import build_hub
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import add_integration, prepared_database
from tests.hub.servers import hub_process
from tests.support.keys import key_file_for
from tests.support.postgres import running_postgres


@dataclass
class Stream:
    """One event stream on a raw socket: every (event, data, arrival time) it receives."""

    url: str
    path: str
    cookie: str = ""
    events: list[tuple[str, str, float]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        parts = urlsplit(self.url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
        writer.write(f"GET {self.path} HTTP/1.1\r\nHost: hub\r\n{cookie}Accept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass  # the head
        pending = b""
        try:
            while True:
                size = int((await reader.readline()).strip() or b"0", 16)  # chunked transfer
                if size == 0:
                    return
                pending += await reader.readexactly(size + 2)
                pending = pending[:-2] if pending.endswith(b"\r\n") else pending
                while b"\n\n" in pending:
                    block, pending = pending.split(b"\n\n", 1)
                    self._event(block.decode(), time.perf_counter())
        finally:
            writer.close()

    def _event(self, block: str, at: float) -> None:
        kind, data = "message", ""
        for line in block.splitlines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
        if data:
            self.events.append((kind, data, at))
            self.ready.set()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def prepare(url: str, screens: int) -> tuple[str, str, list[str]]:
    kiosk = prepared_database(url)
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)))
    his = add_integration(hub)
    with hub.writer() as session:
        save_area(session, AreaSettings("kkb", "Sảnh khám bệnh", "Outpatient hall", (("KKB", None),)))
        codes = [screen_book.create_screen(session, f"tv-{n}", "kkb", "bench", hub.clock()) for n in range(screens)]
        session.commit()
    hub.engine.dispose()
    return kiosk, his, codes


async def connect(
    urls: list[str], kiosk: str, codes: list[str], phones: int, calls: int
) -> tuple[list[Stream], list[Stream]]:
    async with httpx.AsyncClient(timeout=60) as client:
        screens = []
        for n, code in enumerate(codes):
            url = urls[n % len(urls)]
            answer = await client.post(f"{url}/screens/enrol", data={"code": code})
            screens.append(Stream(url, "/screens/board/events", f"kh_screen={answer.cookies['kh_screen']}"))
        tokens = []
        for n in range(calls + phones):
            answer = await client.post(
                f"{urls[0]}/api/v1/tickets",
                json={"department_id": "KKB"},
                headers={"Authorization": f"Bearer {kiosk}", "Idempotency-Key": f"b{n}"},
            )
            tokens.append(answer.json()["status_url"].rsplit("/", 1)[1])
    followers = [Stream(urls[n % len(urls)], f"/t/{token}/events") for n, token in enumerate(tokens[calls:])]
    return screens, followers


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def measure(
    urls: list[str], pids: list[int], kiosk: str, his: str, codes: list[str], args: argparse.Namespace
) -> None:
    screens, phones = await connect(urls, kiosk, codes, args.phones, args.calls)
    before = sum(rss_kib(p) for p in pids)
    tasks = [asyncio.create_task(s.run()) for s in screens]
    await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in screens)), 60)
    with_screens = sum(rss_kib(p) for p in pids)
    tasks += [asyncio.create_task(p.run()) for p in phones]
    await asyncio.wait_for(asyncio.gather(*(p.ready.wait() for p in phones)), 60)
    with_phones = sum(rss_kib(p) for p in pids)
    screen_ms: list[float] = []
    phone_ms: list[float] = []
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {his}"}, timeout=30) as caller:
        for _ in range(args.calls):
            marks = [len(p.events) for p in phones]
            sent = time.perf_counter()
            number = (await caller.post(f"{urls[0]}/api/v1/departments/KKB/call-next")).json()["display_number"]
            await asyncio.sleep(args.interval)
            for s in screens:
                seen = [at for kind, data, at in s.events if kind == "call" and json.loads(data)["number"] == number]
                screen_ms.append((seen[0] - sent) * 1000 if seen else float("inf"))
            for p, mark in zip(phones, marks, strict=True):
                seen = [at for kind, _data, at in p.events[mark:] if kind == "ticket"]
                phone_ms.append((seen[0] - sent) * 1000 if seen else float("inf"))
    for task in tasks:
        task.cancel()
    missed = sum(1 for v in screen_ms + phone_ms if v == float("inf"))
    print(f"hubs={len(urls)} store={args.store} screens={len(screens)} phones={len(phones)} calls={args.calls}")
    print(
        f"call → screen: p50 {percentile(screen_ms, 0.5):.0f} ms, p99 {percentile(screen_ms, 0.99):.0f} ms, "
        f"max {max(screen_ms):.0f} ms ({len(screen_ms)} deliveries)"
    )
    print(
        f"call → phone:  p50 {percentile(phone_ms, 0.5):.0f} ms, p99 {percentile(phone_ms, 0.99):.0f} ms, "
        f"max {max(phone_ms):.0f} ms ({len(phone_ms)} deliveries)"
    )
    print(f"not delivered within {args.interval * 1000:.0f} ms: {missed}")
    print(
        f"hub memory (RSS, all processes): {before / 1024:.1f} MiB idle, +{(with_screens - before) / len(screens):.0f}"
        f" KiB per screen, +{(with_phones - with_screens) / max(1, len(phones)):.0f} KiB per phone page"
    )
    print(f"mean {statistics.mean(s for s in screen_ms if s != float('inf')):.0f} ms to screens")


@contextlib.contextmanager
def store(postgres: bool) -> Iterator[str]:
    if postgres:
        with running_postgres() as server:
            yield server.create_database("bench_calling")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/hub.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--screens", type=int, default=100)
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--hubs", type=int, default=1)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between calls")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    args.store = "postgresql" if args.postgres else "sqlite"
    with store(args.postgres) as url:
        kiosk, his, codes = prepare(url, args.screens)
        with contextlib.ExitStack() as stack:
            pids: list[int] = []
            urls = [stack.enter_context(hub_process(url, pid=pids)) for _ in range(args.hubs)]
            asyncio.run(measure(urls, pids, kiosk, his, codes, args))


if __name__ == "__main__":
    main()
