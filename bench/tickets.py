"""Ticket issue throughput and latency of the hub over real HTTP: SQLite (1 process), PostgreSQL (1 and 2 processes).

Each scenario gets a fresh database, starts `kiosk-hub serve` processes on loopback, sends POST /api/v1/tickets
from N concurrent clients, and prints tickets/s, p50/p95/p99 latency and the duplicate count (must be 0).
The load generator runs on the same machine and competes for its cores: figures are a floor, not a ceiling.

    .venv/bin/python bench/tickets.py [--requests 1000] [--concurrency 1,16,200] [--paced 1000] [--no-postgres]

Closed loop (the default levels): every client sends again the moment it is answered, so at 200 clients the
latency is 200 / throughput by Little's law — a saturation test. Paced (`200@1000/s`): 200 clients that together
offer 1,000 tickets/s, each at its own steady pace, latency counted from when each request was due.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hub.conftest import prepared_database
from tests.hub.servers import hub_process
from tests.support.postgres import available, running_postgres

RUNS = itertools.count()
PLAN = [("NOI", "normal"), ("NOI", "priority"), ("NGOAI", "normal"), ("KKB", "normal")]


class KeepAliveClient:
    """A minimal HTTP/1.1 keep-alive client: the load generator must cost far less CPU than the server it
    measures, and shares the machine with it (httpx with 200 connections costs as much as the hub)."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.token = token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post_ticket(self, key: str, body: bytes) -> tuple[int, dict[str, object]]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST /api/v1/tickets HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {self.token}\r\n"
            f"Idempotency-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        payload = await self.reader.readexactly(length)
        return int(status_line.split()[1]), json.loads(payload)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def run_load(urls: list[str], token: str, total: int, concurrency: int, rate: float = 0) -> dict[str, float]:
    """`concurrency` clients; each sends its next request as soon as it has its answer (closed loop), or with
    `rate`, at its own steady pace so that together they offer `rate` requests a second (open loop: kiosks do not
    wait for each other). Paced latency runs from when the request was due, so a stalled hub cannot hide its
    backlog by delaying the requests it has not read yet."""
    latencies: list[float] = []
    issued: list[tuple[object, object, object]] = []
    counter = itertools.count()
    targets = itertools.cycle(urls)
    run = next(RUNS)
    loop_started = time.perf_counter()
    interval = concurrency / rate if rate else 0.0

    async def worker(slot: int) -> None:
        client = KeepAliveClient(next(targets), token)
        due = loop_started + interval * slot / concurrency  # the clients' sends spread over one interval
        try:
            while (i := next(counter)) < total:
                department, lane = PLAN[i % len(PLAN)]
                body = json.dumps({"department_id": department, "lane": lane}).encode()
                if rate:
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                    started, due = due, due + interval
                else:
                    started = time.perf_counter()
                status, ticket = await client.post_ticket(f"bench-{run}-{i}", body)
                latencies.append(time.perf_counter() - started)
                if status != 201:
                    raise RuntimeError(f"HTTP {status}: {ticket}")
                issued.append((ticket["department_id"], ticket["lane"], ticket["number"]))
        finally:
            await client.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(slot) for slot in range(concurrency)))
    elapsed = time.perf_counter() - started
    duplicates = sum(n - 1 for n in Counter(issued).values() if n > 1)
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "rate": len(issued) / elapsed,
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
        "max": max(latencies) * 1000,
        "duplicates": duplicates,
        "n": len(issued),
    }


def report(store: str, processes: int, clients: str, figures: dict[str, float]) -> None:
    print(
        f"{store:<10} {processes:>5} {clients:>10} {figures['n']:>6.0f} {figures['rate']:>10.0f}"
        f" {figures['p50']:>8.1f} {figures['p95']:>8.1f} {figures['p99']:>8.1f} {figures['duplicates']:>5.0f}",
        flush=True,
    )


def scenario(store: str, url: str, processes: int, levels: list[int], total: int, paced: list[float]) -> None:
    loads = [(c, 0.0) for c in levels] + [(max(levels), rate) for rate in paced]
    for concurrency, rate in loads:
        clients = f"{concurrency}@{rate:.0f}/s" if rate else str(concurrency)
        database = (
            url(f"c{concurrency}r{rate:.0f}p{processes}")
            if callable(url)
            else url.replace(".sqlite3", f"-{concurrency}-{rate:.0f}.sqlite3")
        )
        token = prepared_database(database)
        with contextlib.ExitStack() as stack:
            urls = [stack.enter_context(hub_process(database, {"PYTHONWARNINGS": "ignore"})) for _ in range(processes)]
            try:
                asyncio.run(run_load(urls, token, min(total, 50), concurrency))  # warm-up: connections, caches
                report(store, processes, clients, asyncio.run(run_load(urls, token, total, concurrency, rate)))
            except (
                OSError,
                RuntimeError,
                asyncio.IncompleteReadError,
            ) as exc:  # a failed scenario is a figure too: say so and go on
                print(f"{store:<10} {processes:>5} {clients:>10}  FAILED: {type(exc).__name__}: {exc}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", default="1,16,200")
    parser.add_argument(
        "--paced", default="1000", help="offered rates (tickets/s, comma-separated) for the most clients; 0: none"
    )
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    paced = [float(r) for r in args.paced.split(",") if float(r) > 0]
    # Figures depend on what else runs: say how busy the machine was.
    print(f"cpus {os.cpu_count()}, load average at start {os.getloadavg()[0]:.1f}")
    header = ("store", "procs", "clients", "n", "tickets/s", "p50 ms", "p95 ms", "p99 ms", "dups")
    widths = (-10, 5, 10, 6, 10, 8, 8, 8, 5)
    print(" ".join(f"{h:<{-w}}" if w < 0 else f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        for processes in (1, 2):
            url = f"sqlite:///{tmp}/bench-{processes}.sqlite3"
            scenario("sqlite", url, processes, levels, args.requests, paced)
    if args.no_postgres or not available():
        print(f"load average at end {os.getloadavg()[0]:.1f}")
        return 0
    with running_postgres(durable=True) as pg:  # fsync on, like SQLite's synchronous=FULL: durable commits
        for processes in (1, 2):
            scenario(
                "postgresql",
                lambda name, p=processes: pg.create_database(f"bench_{name}"),
                processes,
                levels,
                args.requests,
                paced,
            )
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
