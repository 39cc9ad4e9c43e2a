"""What signing each configuration for its kiosk as it is served costs, on the hub and on the kiosk.

In process: the hub signing one document (`issuing.issue`) and opening a sealed key; the kiosk checking one
(`ConfigTrust.check_served`: key, signature, audience, expiry) and following a chain of key changes. Over HTTP:
`kiosk-hub serve` on loopback (SQLite, one process) and `--kiosks` enrolled kiosks polling `GET /fleet/v1/config`
on `--connections` keep-alive connections, first without an ETag (every answer signed for its kiosk: what a fleet
does once per refresh period, after a rollout or a key rotation), then with the ETag they were given (304: what
every other poll is). Prints requests/s, latency percentiles and the hub's CPU per request.

    .venv/bin/python bench/fleet_config_signing.py [--kiosks 2000] [--connections 32] [--requests 6000]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fleet_heartbeats import KeepAlive, cpu_seconds, enrol_many, hub_pid
from kiosk.remote_config.envelope import Audience
from kiosk.remote_config.schema import RemoteConfig
from kiosk.remote_config.store import ConfigStore
from kiosk.remote_config.trust import ConfigTrust, TrustedKeys
from kiosk_hub.db.engine import utc_now
from kiosk_hub.fleet import configs, issuing, rollout
from kiosk_hub.fleet.enrolment import default_group
from kiosk_hub.fleet.signing import ConfigKeys
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.hub.servers import hub_process
from tests.remote_config.conftest import key_change, public_b64, sign


def per_call_us(fn: Callable[[], object], repeat: int) -> float:
    fn()
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat * 1e6


def in_process(tmp: Path) -> None:
    url = f"sqlite:///{tmp / 'inproc.sqlite3'}"
    upgrade(url)
    hub = build_hub(HubSettings(database_url=url))
    with hub.writer() as session:
        key = hub.config_keys.prepare(session, utc_now())
        session.commit()
    config = RemoteConfig(trust_anchors_pem=["-----BEGIN CERTIFICATE-----" + "A" * 1500] * 4).model_dump(mode="json")
    now, week = datetime.now(UTC), timedelta(days=7)
    audience = Audience(kiosk="k-1", group="g")
    sign_us = per_call_us(lambda: issuing.issue(key, 3, config, audience, now, week, []), 2000)

    def open_sealed() -> None:
        fresh = ConfigKeys(hub.config_keys.key_file)
        with hub.reader() as session:
            fresh.active(session)

    open_us = per_call_us(open_sealed, 200)
    hub.engine.dispose()

    pinned = Ed25519PrivateKey.generate()
    chain_keys = [pinned, *(Ed25519PrivateKey.generate() for _ in range(3))]
    chain = [key_change(a, b) for a, b in itertools.pairwise(chain_keys)]
    store = ConfigStore(tmp / "kiosk")
    document = sign(pinned, 3, config, kiosk="k-1", signed_at=now)
    trust = ConfigTrust("k-1", 0, TrustedKeys(store.directory / "trusted-keys.json", public_b64(pinned)))
    check_us = per_call_us(lambda: trust.check_served(document), 2000)
    rotated = sign(chain_keys[-1], 3, config, kiosk="k-1", signed_at=now, changes=chain)

    def follow_three() -> None:
        (store.directory / "trusted-keys.json").unlink(missing_ok=True)
        fresh = ConfigTrust("k-1", 0, TrustedKeys(store.directory / "trusted-keys.json", public_b64(pinned)))
        fresh.check_served(rotated)

    follow_us = per_call_us(follow_three, 200)
    print(f"document: {len(document.model_dump_json())} bytes (4 trust anchors)")
    print(f"hub: sign one document for one kiosk {sign_us:.0f} µs; open the sealed key {open_us:.0f} µs (once)")
    print(f"kiosk: check a served document {check_us:.0f} µs; follow 3 key changes and check {follow_us:.0f} µs")


def roll_out(url: str) -> None:
    hub = build_hub(HubSettings(database_url=url))
    now = utc_now()
    with hub.writer() as session:
        hub.config_keys.prepare(session, now)
        version = configs.save_version(session, RemoteConfig().model_dump(mode="json"), "bench", now)
        session.flush()
        rollout.start(session, default_group(session, now).id, version, "bench", now)  # no canaries: wide at once
        session.commit()
    hub.engine.dispose()


async def poll(base: str, tokens: list[str], etags: dict[str, str], total: int, connections: int) -> list[float]:
    parts = urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: list[float] = []
    queue = list(range(total))

    async def worker() -> None:
        conn = KeepAlive(host, port)
        try:
            while queue:
                token = tokens[queue.pop() % len(tokens)]
                tag = f"If-None-Match: {etags[token]}\r\n" if token in etags else ""
                request = f"GET /fleet/v1/config HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n{tag}\r\n"
                started = time.perf_counter()
                status = await conn.post(request.encode())
                latencies.append(time.perf_counter() - started)
                if status not in (200, 304):
                    raise RuntimeError(f"HTTP {status}")
        finally:
            conn.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies


def report(label: str, latencies: list[float], elapsed: float, cpu: float) -> None:
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100)
    print(f"{label}: {len(ms) / elapsed:.0f} req/s, p50={q[49]:.1f} p95={q[94]:.1f} p99={q[98]:.1f} ms, "
          f"hub CPU {cpu / len(ms) * 1000:.2f} ms/request")  # fmt: skip


def over_http(tmp: Path, kiosks: int, connections: int, requests: int) -> None:
    import httpx

    url = f"sqlite:///{tmp / 'hub.sqlite3'}"
    upgrade(url)
    tokens, _ids = enrol_many(url, kiosks)
    roll_out(url)
    with hub_process(url) as base:
        pid = hub_pid()
        with httpx.Client(base_url=base) as client:
            etags = {}
            for token in tokens:
                answer = client.get("/fleet/v1/config", headers={"Authorization": f"Bearer {token}"})
                etags[token] = answer.headers["ETag"]
        for label, tags in (("signed for each kiosk (200)", {}), ("unchanged (304)", etags)):
            cpu, started = cpu_seconds(pid), time.perf_counter()
            latencies = asyncio.run(poll(base, tokens, tags, requests, connections))
            report(label, latencies, time.perf_counter() - started, cpu_seconds(pid) - cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--requests", type=int, default=6000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="config-signing-bench-") as tmp:
        in_process(Path(tmp))
        over_http(Path(tmp), args.kiosks, args.connections, args.requests)
    print("SQLite, one hub process; the load generator shares the machine's cores with the hub")
    return 0


if __name__ == "__main__":
    sys.exit(main())
