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
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.remote_config.schema import DeviceState, FunnelCounters, Heartbeat
from kiosk_hub.db.engine import utc_now
from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet.enrolment import default_group
from kiosk_hub.fleet.models import FleetKiosk, HeartbeatRow
from kiosk_hub.hub import build_hub
from kiosk_hub.kiosk_tokens import hash_token, new_token
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.hub.servers import hub_process


def enrol_many(url: str, count: int) -> tuple[list[str], list[str]]:
    hub = build_hub(HubSettings(database_url=url))
    tokens = [new_token() for _ in range(count)]
    ids = [str(uuid.uuid4()) for _ in range(count)]
    now = utc_now()
    with hub.writer() as session:
        group = default_group(session, now)
        for n, (token, kiosk_id) in enumerate(zip(tokens, ids, strict=True)):
            session.add(Kiosk(id=kiosk_id, name=f"bench-{n:05d}", token_hash=hash_token(token), created_at=now))
            session.add(FleetKiosk(kiosk_id=kiosk_id, group_id=group.id, enrolled_at=now))
        session.commit()
    hub.engine.dispose()
    return tokens, ids


def body(n: int) -> dict[str, object]:
    funnel = FunnelCounters(identifications={"chip": n % 40, "cccd_qr": n % 13}, tickets=n % 50, print_failures=n % 2)
    devices = {"printer": DeviceState.OK, "reader": DeviceState.OK, "camera": DeviceState.DEGRADED}
    return Heartbeat(
        app_version="0.1.0", config_version=3, devices=devices, funnel=funnel, day="2026-11-23"
    ).model_dump(mode="json")


IDLE_REUSE_SECONDS = 3.0


class KeepAlive:
    """One HTTP/1.1 keep-alive connection: the load generator must cost far less CPU than the hub it measures and
    shares the machine's two cores with it (httpx with hundreds of connections costs as much as the hub)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, request: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(request)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def requests_for(host: str, tokens: list[str], bodies: list[bytes]) -> list[bytes]:
    """Every kiosk's request prepared up front, so sending one costs a socket write."""
    out = []
    for n, token in enumerate(tokens):
        payload = bodies[n % len(bodies)]
        head = (
            f"POST /fleet/v1/heartbeat HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        out.append(head.encode() + payload)
    return out


async def send_all(
    base: str, tokens: list[str], interval: float, seconds: float
) -> tuple[list[tuple[int, float]], int, set[int]]:
    """Open loop: heartbeat n is due at n/rate; its latency counts from when it was due, so a generator that falls
    behind shows as latency too. A free keep-alive connection is reused, a new one opened when all are busy."""
    parts = urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: list[tuple[int, float]] = []
    lost = 0
    acked: set[int] = set()
    rate = len(tokens) / interval
    total = int(rate * seconds)
    bodies = [json.dumps(body(n)).encode() for n in range(min(len(tokens), 500))]
    prepared = requests_for(host, tokens, bodies)
    idle: list[tuple[KeepAlive, float]] = []
    opened: list[KeepAlive] = []
    failures: dict[int | str, int] = {}

    async def one(n: int, due: float) -> None:
        nonlocal lost
        conn = None
        while idle and conn is None:
            conn, used = idle.pop()
            if time.perf_counter() - used > IDLE_REUSE_SECONDS:
                conn.close()  # the hub closes keep-alive connections idle for 5 s (uvicorn's default)
                conn = None
        if conn is None:
            conn = KeepAlive(host, port)
            opened.append(conn)
        status: int | str
        try:
            status = await conn.post(prepared[n % len(tokens)])
            ok = status == 200
            idle.append((conn, time.perf_counter()))
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            ok, status = False, type(exc).__name__
            conn.close()
        if not ok:
            failures[status] = failures.get(status, 0) + 1
        latencies.append((n, time.perf_counter() - due))
        lost += not ok
        if ok:
            acked.add(n % len(tokens))

    begin = time.perf_counter()
    tasks = []
    for n in range(total):
        due = begin + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, due)))
    await asyncio.gather(*tasks)
    for conn in opened:
        conn.close()
    if failures:
        print(f"failures (HTTP status or exception): {failures}; connections opened: {len(opened)}")
    return latencies, lost, acked


def hub_pid() -> int:
    """The `kiosk-hub serve` child this bench started (tests.hub.servers.hub_process keeps its PID to itself)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and b"kiosk_hub.cli" in cmdline:
                return int(entry.name)
    raise RuntimeError("the hub process was not found")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def print_latency(label: str, seconds: list[float]) -> None:
    if len(seconds) < 2:
        return
    ms = sorted(x * 1000 for x in seconds)
    q = statistics.quantiles(ms, n=100)
    print(f"latency ms ({label}, n={len(ms)}): p50={q[49]:.1f} p95={q[94]:.1f} p99={q[98]:.1f} max={ms[-1]:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=30.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'hub.sqlite3'}"
        upgrade(url)
        tokens, ids = enrol_many(url, args.kiosks)
        with hub_process(url) as base:
            hub_cpu = cpu_seconds(hub_pid())
            started = time.perf_counter()
            latencies, lost, acked = asyncio.run(send_all(base, tokens, args.interval, args.seconds))
            elapsed = time.perf_counter() - started
            hub_cpu = cpu_seconds(hub_pid()) - hub_cpu
            load = os.getloadavg()
        hub = build_hub(HubSettings(database_url=url))
        with hub.reader() as session:
            stored = session.scalar(select(func.count()).select_from(HeartbeatRow)) or 0
            seen = set(session.scalars(select(FleetKiosk.kiosk_id).where(FleetKiosk.last_seen_at.is_not(None))))
        hub.engine.dispose()
        # "Lost": answered 200 but the kiosk's latest state was never written (the answer must follow the commit).
        unstored = sum(1 for n in acked if ids[n] not in seen)
    target = args.kiosks / args.interval
    print(f"kiosks={args.kiosks} interval={args.interval:g}s target={target:.0f}/s; SQLite, one hub process")
    print(f"sent={len(latencies)} in {elapsed:.1f}s ({len(latencies) / elapsed:.0f}/s) errors={lost} "
          f"acked_not_stored={unstored}")  # fmt: skip
    print(f"history rows={stored}; load average during the run (1/5/15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    # A kiosk's first heartbeat after the hub starts costs more (no cached history time; a history row when the
    # database has none from the last 5 minutes): shown apart from the steady state of later intervals.
    per_beat = hub_cpu / max(len(latencies), 1) * 1000
    print(f"hub CPU: {hub_cpu:.1f} s in {elapsed:.1f} s = {per_beat:.2f} ms per heartbeat")
    print_latency("all", [x for _, x in latencies])
    print_latency("first beat per kiosk", [x for n, x in latencies if n < args.kiosks])
    print_latency("later beats", [x for n, x in latencies if n >= args.kiosks])
    return 0


if __name__ == "__main__":
    sys.exit(main())
