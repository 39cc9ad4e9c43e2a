"""Ticket latency of `kiosk-hub serve` while it is being attacked: alone, under a wrong-password flood on the console's
sign-in, and under idle sockets held open by a client that reconnects whenever the hub closes one.

Each scenario gets a fresh SQLite database and its own hub process (soft open-file limit 16,384 as the systemd unit
sets, unless the scenario says otherwise); 16 kiosks then issue tickets in a closed loop while the attack runs, and
the bench prints tickets/s, p50/p99/max latency and the attack's own count. The attackers share the machine's two
cores with the hub: figures are a floor.

    .venv/bin/python bench/security_load.py [--requests 1500] [--clients 16] [--flooders 4] [--flood-requests 320]
                                            [--idle 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import socket
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.tickets import run_load
from kiosk_hub.access.roles import Role
from kiosk_hub.access.users import add_user
from kiosk_hub.hub import build_hub
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import prepared_database
from tests.hub.servers import hub_process

ADMIN, PASSWORD = "it-admin", "mật-khẩu-đúng-2026"
HEAD = b"POST /api/v1/tickets HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
Attack = Callable[[str, asyncio.Event, list[int]], Awaitable[None]]


async def login_flood(url: str, stop: asyncio.Event, count: list[int], flooders: int) -> None:
    """`flooders` clients, each posting wrong passwords for the real admin as fast as it is answered."""

    async def one() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            page = await client.get("/fleet/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert csrf is not None, "the sign-in page has no CSRF field"
            token = csrf.group(1)
            while not stop.is_set():
                form = {"csrf": token, "username": ADMIN, "password": f"sai-{count[0]}"}
                answer = await client.post("/fleet/login", data=form)
                if answer.status_code not in (303, 429):
                    raise RuntimeError(f"sign-in answered {answer.status_code}")
                # A throttled attempt is answered with a new sign-in form (a new token and cookie): follow it.
                renewed = re.search(r'name="csrf" value="([^"]+)"', answer.text)
                token = renewed.group(1) if renewed else token
                count[0] += 1

    await asyncio.gather(*(one() for _ in range(flooders)))


async def idle_sockets(url: str, stop: asyncio.Event, count: list[int], held: int) -> None:
    """Keeps `held` half-sent requests open from 25 loopback addresses, opening a new one for each the hub closes;
    `count` is how many were opened in all."""
    port = int(url.rsplit(":", 1)[1])

    async def keep_one(slot: int) -> None:
        while not stop.is_set():
            sock = socket.socket()
            sock.setblocking(False)
            sock.bind((f"127.0.0.{2 + slot % 25}", 0))
            try:
                reader, writer = await asyncio.open_connection(sock=await _connected(sock, port))
                writer.write(HEAD)
                count[0] += 1
                closed = asyncio.ensure_future(reader.read())  # returns when the hub answers 408 or closes
                await asyncio.wait([closed, asyncio.ensure_future(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
                closed.cancel()
                writer.close()
            except OSError:
                sock.close()
                await asyncio.sleep(0.05)

    await asyncio.gather(*(keep_one(slot) for slot in range(held)))


async def _connected(sock: socket.socket, port: int) -> socket.socket:
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    return sock


def prepare(database: str) -> str:
    token = prepared_database(database)
    hub = build_hub(HubSettings(database_url=database))
    with hub.writer() as session:
        add_user(session, ADMIN, PASSWORD, Role.ADMIN, "bench", hub.clock())
        session.commit()
    hub.engine.dispose()
    return token


async def measured(
    url: str, token: str, requests: int, clients: int, attack: Attack | None
) -> tuple[dict[str, float], int]:
    stop, count = asyncio.Event(), [0]
    attacking = asyncio.ensure_future(attack(url, stop, count)) if attack else None
    if attacking is not None:
        await asyncio.sleep(2.0)  # the attack is in full swing before the first ticket
    try:
        figures = await run_load([url], token, requests, clients)
    finally:
        stop.set()
        if attacking is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(attacking, 30)
    return figures, count[0]


def scenario(
    name: str, tmp: str, args: argparse.Namespace, attack: Attack | None, *, requests: int, open_files: int = 16384
) -> None:
    database = f"sqlite:///{tmp}/{re.sub(r'[^a-z0-9]+', '-', name)}.sqlite3"
    token = prepare(database)
    with hub_process(database, {"PYTHONWARNINGS": "ignore"}, open_files=open_files) as url:
        try:
            asyncio.run(run_load([url], token, 50, args.clients))  # warm-up: connections, caches
            figures, attacks = asyncio.run(measured(url, token, requests, args.clients, attack))
        except (OSError, RuntimeError, IndexError, asyncio.IncompleteReadError, httpx.HTTPError) as exc:
            # a closed connection reads as an empty status line (IndexError): the hub stopped answering
            print(f"{name:<44}  FAILED: {type(exc).__name__}: {exc}", flush=True)
            return
    print(
        f"{name:<44} {figures['rate']:>9.0f} {figures['p50']:>8.1f} {figures['p99']:>8.1f} {figures['max']:>8.1f}"
        f" {attacks:>8}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--flooders", type=int, default=4)
    parser.add_argument(
        "--flood-requests",
        type=int,
        default=320,
        help="tickets in the flood row (a flooded hub may manage a few a second)",
    )
    parser.add_argument("--idle", type=int, default=1000)
    args = parser.parse_args()
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))  # this process holds the sockets
    print(f"cpus {os.cpu_count()}, load average at start {os.getloadavg()[0]:.1f}; {args.clients} kiosks")
    print(f"{'scenario':<44} {'tickets/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'attacks':>8}")
    flood: Attack = lambda url, stop, count: login_flood(url, stop, count, args.flooders)  # noqa: E731
    idle: Attack = lambda url, stop, count: idle_sockets(url, stop, count, args.idle)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="hub-security-bench-") as tmp:
        scenario("alone", tmp, args, None, requests=args.requests)
        scenario(f"{args.flooders} clients flooding wrong passwords", tmp, args, flood, requests=args.flood_requests)
        scenario(f"{args.idle} idle sockets held", tmp, args, idle, requests=args.requests)
        scenario(
            f"{args.idle} idle sockets, open-file limit 1,024", tmp, args, idle, requests=args.requests, open_files=1024
        )
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
