"""Ticket issue throughput and latency of the hub over real HTTP: SQLite (1 process), PostgreSQL (1 and 2 processes).

Each scenario gets a fresh database, starts `kiosk-hub serve` processes on loopback, sends POST /api/v1/tickets
from N concurrent clients, and prints tickets/s, p50/p95/p99 latency and the duplicate count (must be 0).
The load generator runs on the same machine and competes for its cores: figures are a floor, not a ceiling.

    .venv/bin/python bench/hub_tickets.py [--requests 1000] [--concurrency 1,16,200] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk_hub.app import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import enrol, seed
from tests.hub.servers import hub_process
from tests.support.postgres import available, running_postgres

PLAN = [("NOI", "normal"), ("NOI", "priority"), ("NGOAI", "normal"), ("KKB", "normal")]


def prepare(url: str) -> str:
    upgrade(url)
    hub = build_hub(HubSettings(database_url=url))
    seed(hub)
    token = enrol(hub)
    hub.engine.dispose()
    return token


async def run_load(urls: list[str], token: str, total: int, concurrency: int) -> dict[str, float]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    issued: list[tuple[str, str, int]] = []
    counter = itertools.count()
    targets = itertools.cycle(urls)
    async with httpx.AsyncClient(limits=limits, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:

        async def worker() -> None:
            url = next(targets)
            while (i := next(counter)) < total:
                department, lane = PLAN[i % len(PLAN)]
                started = time.perf_counter()
                response = await client.post(
                    f"{url}/api/v1/tickets",
                    json={"department_id": department, "lane": lane},
                    headers={"Idempotency-Key": f"bench-{i}"},
                )
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()
                body = response.json()
                issued.append((body["department_id"], body["lane"], body["number"]))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    duplicates = sum(n - 1 for n in Counter(issued).values() if n > 1)
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "rate": len(issued) / elapsed,
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
        "duplicates": duplicates,
        "n": len(issued),
    }


def report(store: str, processes: int, concurrency: int, figures: dict[str, float]) -> None:
    print(
        f"{store:<10} {processes:>5} {concurrency:>6} {figures['n']:>6.0f} {figures['rate']:>10.0f}"
        f" {figures['p50']:>8.1f} {figures['p95']:>8.1f} {figures['p99']:>8.1f} {figures['duplicates']:>5.0f}",
        flush=True,
    )


def scenario(store: str, url: str, processes: int, levels: list[int], total: int) -> None:
    for concurrency in levels:
        database = (
            url(f"c{concurrency}p{processes}") if callable(url) else url.replace(".sqlite3", f"-{concurrency}.sqlite3")
        )
        token = prepare(database)
        with contextlib.ExitStack() as stack:
            urls = [stack.enter_context(hub_process(database, {"PYTHONWARNINGS": "ignore"})) for _ in range(processes)]
            try:
                asyncio.run(run_load(urls, token, min(total, 50), concurrency))  # warm-up: connections, caches
                report(store, processes, concurrency, asyncio.run(run_load(urls, token, total, concurrency)))
            except httpx.HTTPError as exc:  # a failed scenario is a figure too: say so and go on
                print(f"{store:<10} {processes:>5} {concurrency:>6}  FAILED: {type(exc).__name__}: {exc}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", default="1,16,200")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    header = ("store", "procs", "conc", "n", "tickets/s", "p50 ms", "p95 ms", "p99 ms", "dups")
    widths = (-10, 5, 6, 6, 10, 8, 8, 8, 5)
    print(" ".join(f"{h:<{-w}}" if w < 0 else f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        scenario("sqlite", f"sqlite:///{tmp}/bench.sqlite3", 1, levels, args.requests)
    if args.no_postgres or not available():
        return 0
    with running_postgres() as pg:
        for processes in (1, 2):
            scenario(
                "postgresql",
                lambda name, p=processes: pg.create_database(f"bench_{name}"),
                processes,
                levels,
                args.requests,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
