"""Ticket latency while four clients flood the console's sign-in with wrong passwords (real HTTP, loopback).

One `kiosk-hub serve` process on a fresh SQLite file (or PostgreSQL with --postgres). Kiosk clients issue tickets
in a closed loop for a few seconds: first alone, then while four clients post wrong passwords as fast as they are
answered —

- `one account`: all for one user from one address: after a few failures the throttle answers without hashing;
- `new names`: each attempt under a new username from a new address (a trusted proxy's X-Forwarded-For), so none
  is throttled and every one is an argon2 check: the worst case for the hasher.

Prints ticket p50/p99/max per phase, the flood's attempts/s, and p50 against the quiet p50 (the goal: within 2×).
The load generator shares the machine's cores with the hub: figures are a floor.

    .venv/bin/python bench/login_flood.py [--seconds 8] [--kiosks 4] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.tickets import PLAN, KeepAliveClient, prepare
from kiosk_hub.access.roles import Role
from kiosk_hub.access.users import add_user
from kiosk_hub.hub import build_hub
from kiosk_hub.settings import HubSettings
from tests.hub.servers import hub_process
from tests.support.postgres import running_postgres

PASSWORD = "mật-khẩu-quản-trị-đủ-dài"
RUNS = itertools.count()


async def tickets_for(url: str, token: str, kiosks: int, seconds: float) -> list[float]:
    """Closed loop: each kiosk issues its next ticket the moment it has its answer, for `seconds`."""
    latencies: list[float] = []
    run, until = next(RUNS), time.perf_counter() + seconds

    async def kiosk(slot: int) -> None:
        client = KeepAliveClient(url, token)
        try:
            for i in itertools.count():
                if time.perf_counter() >= until:
                    return
                department, lane = PLAN[i % len(PLAN)]
                body = json.dumps({"department_id": department, "lane": lane}).encode()
                started = time.perf_counter()
                status, answer = await client.post_ticket(f"flood-{run}-{slot}-{i}", body)
                latencies.append(time.perf_counter() - started)
                if status != 201:
                    raise RuntimeError(f"HTTP {status}: {answer}")
        finally:
            await client.close()

    await asyncio.gather(*(kiosk(slot) for slot in range(kiosks)))
    return latencies


async def flood(url: str, stop: asyncio.Event, new_names: bool, counter: Iterator[int]) -> int:
    sent = 0
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        page = await client.get("/fleet/login")
        token = _csrf(page.text)
        while not stop.is_set():
            n = next(counter)
            username = f"guess-{n}" if new_names else "it-admin"
            headers = {"X-Forwarded-For": f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250}"} if new_names else {}
            form = {"csrf": token, "username": username, "password": f"wrong-guess-{n}"}
            answer = await client.post("/fleet/login", data=form, headers=headers)
            if answer.status_code == 403:
                raise RuntimeError("the flood lost its sign-in form token: it would measure CSRF refusals")
            # A refusal comes back as a new sign-in form with a new token (and cookie): a real script follows it.
            token = _csrf(answer.text) or token
            sent += 1
    return sent


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    return found.group(1) if found else ""


async def phase(url: str, token: str, kiosks: int, seconds: float, flood_mode: str | None) -> dict[str, float]:
    stop, counter = asyncio.Event(), itertools.count()
    flooders = [asyncio.create_task(flood(url, stop, flood_mode == "new names", counter)) for _ in range(4)]
    if not flood_mode:
        for task in flooders:
            task.cancel()
        flooders = []
    else:
        await asyncio.sleep(1.0)  # the flood is under way before tickets are timed
    started = time.perf_counter()
    latencies = await tickets_for(url, token, kiosks, seconds)
    elapsed = time.perf_counter() - started
    stop.set()
    attempts = sum(await asyncio.gather(*flooders)) if flooders else 0
    cuts = statistics.quantiles(latencies, n=100)
    return {"n": len(latencies), "rate": len(latencies) / elapsed, "p50": cuts[49] * 1000, "p99": cuts[98] * 1000,
            "max": max(latencies) * 1000, "attempts": attempts / (elapsed + 1.0)}  # fmt: skip


def add_admin(url: str) -> None:
    hub = build_hub(HubSettings(database_url=url))
    with hub.writer() as session:
        add_user(session, "it-admin", PASSWORD, Role.ADMIN, "bench", hub.clock())
        session.commit()
    hub.engine.dispose()


async def measure(url: str, token: str, kiosks: int, seconds: float) -> None:
    print(f"{'phase':<22} {'tickets':>7} {'tickets/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"
          f" {'sign-ins/s':>10} {'p50 vs quiet':>12}")  # fmt: skip
    await tickets_for(url, token, kiosks, 2.0)  # warm up: connections, caches, the first hash
    quiet = None
    for name, mode in (("quiet", None), ("flood: one account", "one account"), ("flood: new names", "new names"),
                       ("quiet again", None)):  # fmt: skip
        figures = await phase(url, token, kiosks, seconds, mode)
        quiet = quiet or figures["p50"]
        print(
            f"{name:<22} {figures['n']:>7.0f} {figures['rate']:>9.0f} {figures['p50']:>7.1f} {figures['p99']:>7.1f}"
            f" {figures['max']:>7.1f} {figures['attempts']:>10.0f} {figures['p50'] / quiet:>11.2f}x",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--kiosks", type=int, default=4)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL 15 (a throwaway server, fsync on)")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.postgres:
            server = stack.enter_context(running_postgres(durable=True))
            url = server.create_database("bench_login_flood")
        else:
            url = f"sqlite:///{stack.enter_context(tempfile.TemporaryDirectory())}/hub.sqlite3"
        token = prepare(url)
        add_admin(url)
        base = stack.enter_context(hub_process(url, {"KIOSK_HUB_PROXY_ADDRESSES": "127.0.0.1"}))
        print(f"store: {'PostgreSQL' if args.postgres else 'SQLite'}, 1 hub process, {args.kiosks} kiosks, "
              f"{args.seconds:.0f} s a phase")  # fmt: skip
        asyncio.run(measure(base, token, args.kiosks, args.seconds))


if __name__ == "__main__":
    main()
