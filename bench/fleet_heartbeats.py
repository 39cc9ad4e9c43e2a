"""Heartbeat intake of the hub over real HTTP: K simulated kiosks each sending one heartbeat per interval.

Enrols K kiosks straight into a fresh SQLite database, starts `kiosk-hub serve` on loopback, then sends
heartbeats at K/interval per second (open loop, so a slow hub shows as latency, not as a lower send rate) for
`--seconds`, and prints p50/p95/p99/max latency, the achieved rate and the heartbeats lost (errors or not stored).
The load generator shares the machine's cores with the hub: figures are a floor, not a ceiling.

    .venv/bin/python bench/fleet_heartbeats.py [--kiosks 10000] [--interval 30] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.remote_config.schema import DeviceState, FunnelCounters, Heartbeat
from kiosk_hub.api.auth import hash_token, new_token
from kiosk_hub.app import build_hub
from kiosk_hub.db.engine import utc_now
from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet.enrolment import default_group
from kiosk_hub.fleet.models import FleetKiosk, HeartbeatRow
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.hub.servers import hub_process


def enrol_many(url: str, count: int) -> list[str]:
    hub = build_hub(HubSettings(database_url=url))
    tokens = [new_token() for _ in range(count)]
    now = utc_now()
    with hub.writer() as session:
        group = default_group(session, now)
        for n, token in enumerate(tokens):
            kiosk_id = str(uuid.uuid4())
            session.add(Kiosk(id=kiosk_id, name=f"bench-{n:05d}", token_hash=hash_token(token), created_at=now))
            session.add(FleetKiosk(kiosk_id=kiosk_id, group_id=group.id, enrolled_at=now))
        session.commit()
    hub.engine.dispose()
    return tokens


def body(n: int) -> dict[str, object]:
    funnel = FunnelCounters(identifications={"chip": n % 40, "cccd_qr": n % 13}, tickets=n % 50, print_failures=n % 2)
    devices = {"printer": DeviceState.OK, "reader": DeviceState.OK, "camera": DeviceState.DEGRADED}
    return Heartbeat(
        app_version="0.1.0", config_version=3, devices=devices, funnel=funnel, day="2026-11-23"
    ).model_dump(mode="json")


async def send_all(base: str, tokens: list[str], interval: float, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    lost = 0
    rate = len(tokens) / interval
    total = int(rate * seconds)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        # Bodies and headers prepared up front: the generator shares the cores with the hub, so it must stay light.
        bodies = [json.dumps(body(n)).encode() for n in range(min(total, 500))]
        headers = [{"Authorization": f"Bearer {token}", "Content-Type": "application/json"} for token in tokens]

        async def one(n: int) -> None:
            nonlocal lost
            started = time.perf_counter()
            try:
                response = await client.post(
                    "/fleet/v1/heartbeat", content=bodies[n % len(bodies)], headers=headers[n % len(tokens)]
                )
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            lost += not ok

        begin = time.perf_counter()
        tasks = []
        for n in range(total):
            delay = begin + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
    return latencies, lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=30.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'hub.sqlite3'}"
        upgrade(url)
        tokens = enrol_many(url, args.kiosks)
        with hub_process(url) as base:
            started = time.perf_counter()
            latencies, lost = asyncio.run(send_all(base, tokens, args.interval, args.seconds))
            elapsed = time.perf_counter() - started
        hub = build_hub(HubSettings(database_url=url))
        with hub.reader() as session:
            stored = session.scalar(select(func.count()).select_from(HeartbeatRow)) or 0
        hub.engine.dispose()
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100)
    target = args.kiosks / args.interval
    print(f"kiosks={args.kiosks} interval={args.interval:g}s target={target:.0f}/s; SQLite, one hub process")
    print(f"sent={len(ms)} in {elapsed:.1f}s ({len(ms) / elapsed:.0f}/s) errors={lost} not_stored={len(ms) - stored}")
    print(f"latency ms: p50={q[49]:.1f} p95={q[94]:.1f} p99={q[98]:.1f} max={ms[-1]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
