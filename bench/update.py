"""A software update across 20 simulated kiosks, over real HTTP: time from "roll out" to "every kiosk on N+1",
the bytes the hub served each kiosk, and the time a rollback to N takes.

Builds N+1 from a copy of this repository (version bumped, its wheel built by pip), starts `kiosk-hub serve` on
loopback, enrols the kiosks (two of them canaries), adds the release with `kiosk-hub release add` and rolls it out
with `kiosk-hub release rollout`. Each simulated kiosk is the real update agent (`kiosk/updates/agent.py`) in a
thread polling every `--poll` seconds: it checks the signatures, downloads (Range, no bandwidth cap unless
`--kbps`), installs N+1 side by side with the real installer (a virtualenv per kiosk: the slim release, the project
wheel over this checkout's site-packages), switches `current`, and, as the agent started again on the new release
would, commits it and reports `installed`. The kiosks share the machine's cores with the hub and with each other's
installs (`--parallel` installs at once): the figures are a floor, not a ceiling. Then every kiosk is rolled back
to N (still on its disk: a switch and a commit, no install).

    .venv/bin/python bench/update.py [--kiosks 20] [--poll 1] [--parallel 4] [--kbps 0]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.remote_config.enrolment import KioskCredentials
from kiosk.updates import guard
from kiosk.updates.agent import UpdateAgent
from kiosk.updates.install import Layout
from tests.hub.servers import hub_process
from tests.updates.builds import base_python, build_wheels, shared_base, slim_bundle, source_copy

N, N1 = "0.1.1", "0.1.2"


class CountingTransport(httpx.HTTPTransport):
    """Counts the body bytes the hub sends this kiosk, as they stream."""

    def __init__(self) -> None:
        super().__init__()
        self.received = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.stream = _Counted(response.stream, self)  # type: ignore[arg-type]
        return response


class _Counted(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, owner: CountingTransport) -> None:
        self.inner, self.owner = inner, owner

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.owner.received += len(chunk)
            yield chunk

    def close(self) -> None:
        self.inner.close()


def hub_cli(env: dict[str, str], *args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "kiosk_hub.cli", *args], env=env, capture_output=True, text=True,
                          check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


class SimulatedKiosk:
    def __init__(self, url: str, credentials: KioskCredentials, layout: Layout, installs: threading.Semaphore,
                 kbps: int) -> None:  # fmt: skip
        self.transport = CountingTransport()
        self.http = httpx.Client(base_url=url, transport=self.transport, timeout=60,
                                 headers={"Authorization": f"Bearer {credentials.token}"})  # fmt: skip
        self.credentials, self.layout, self.installs, self.kbps = credentials, layout, installs, kbps
        self.running = N
        self.switch_seconds: list[float] = []  # polls that ended in a switch: verify, download, install, switch

    def agent(self) -> UpdateAgent:
        return UpdateAgent(self.http, self.credentials, self.layout, self.running, bandwidth_bytes=self.kbps * 1024,
                           health_seconds=120, wait_for_app=False)  # fmt: skip

    def run_until(self, version: str, poll: float, deadline: float) -> None:
        while self.running != version and time.monotonic() < deadline:
            with self.installs:
                began = time.monotonic()
                done = self.agent().step()
            if done == "switched":
                self.switch_seconds.append(
                    time.monotonic() - began
                )  # what the agent started again on the new release does
                self.running = guard.current_version(self.layout.root) or self.running
                restarted = self.agent()
                restarted.settle_trial()
                restarted.report_outcome()
            else:
                time.sleep(poll)


def _enrol(url: str, env: dict[str, str], count: int) -> list[KioskCredentials]:
    codes = hub_cli(env, "enrolment-code", "--count", str(count))["codes"]
    enrolled = []
    for i, code in enumerate(codes):  # type: ignore[attr-defined]
        reply = httpx.post(f"{url}/fleet/v1/enrol", json={"code": code, "name": f"sanh-{i:02d}"}, timeout=30).json()
        fields = ("kiosk_id", "token", "config_public_key", "group_id", "release_public_key", "release_key_id")
        enrolled.append(KioskCredentials(**{k: reply[k] for k in fields}, hub_url=url))
    return enrolled


def _wave(kiosks: list[SimulatedKiosk], version: str, poll: float) -> float:
    started = time.monotonic()
    threads = [threading.Thread(target=k.run_until, args=(version, poll, started + 1800)) for k in kiosks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    missing = [k.credentials.kiosk_id for k in kiosks if k.running != version]
    if missing:
        raise SystemExit(f"{len(missing)} kiosks did not reach {version}")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--poll", type=float, default=1.0)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--kbps", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-update-") as tmp:
        work = Path(tmp)
        build_wheels([source_copy(work / "src", N1)], work / "wheels")
        db = f"sqlite:///{work / 'hub.sqlite3'}"
        env = {**os.environ, "KIOSK_HUB_DB": db, "KIOSK_HUB_KEY_FILE": str(work / "keys" / "hub.key"),
               "KIOSK_HUB_RELEASE_DIR": str(work / "hub-releases")}  # fmt: skip
        hub_cli(env, "migrate")
        with hub_process(db, env={k: env[k] for k in ("KIOSK_HUB_KEY_FILE", "KIOSK_HUB_RELEASE_DIR")}) as url:
            installs = threading.Semaphore(args.parallel)
            kiosks = []
            for i, credentials in enumerate(_enrol(url, env, args.kiosks)):
                layout = Layout(work / f"k{i}" / "opt", work / f"k{i}" / "state", base_python(), shared_base())
                (layout.releases / N).mkdir(parents=True)  # N as installed (its files are not read here)
                (layout.releases / N / ".installed").write_text("{}")
                guard.switch(layout.root, N)
                kiosks.append(SimulatedKiosk(url, credentials, layout, installs, args.kbps))
            _canaries(db, [k.credentials.kiosk_id for k in kiosks[:2]])
            hub_cli(env, "release", "add", str(slim_bundle(work / "bundle", N1, work / "wheels")))
            # N is on the hub too (a rollback target): the same slim layout, its wheel not needed by the kiosks.
            hub_cli(env, "release", "add", str(_release_n(work)))
            hub_cli(env, "release", "rollout", "--group", "default", "--version", N1)
            took = _wave(kiosks, N1, args.poll)
            served = sorted(k.transport.received for k in kiosks)
            installs = sorted(s for k in kiosks for s in k.switch_seconds)
            for k in kiosks:
                k.transport.received = 0
            hub_cli(env, "release", "rollback", "--group", "default", "--version", N)
            back = _wave(kiosks, N, args.poll)
            rolled = sorted(k.transport.received for k in kiosks)
            status = hub_cli(env, "release", "list")["groups"]
    print(f"kiosks: {args.kiosks} (2 canaries), poll {args.poll} s, {args.parallel} installs at once, "
          f"cap {args.kbps or 'none'} kB/s")  # fmt: skip
    print(f"roll out N+1 → all {args.kiosks} kiosks on N+1: {took:.1f} s")
    print(
        f"one kiosk's check, download, install and switch: median {installs[len(installs) // 2]:.1f} s, "
        f"max {installs[-1]:.1f} s"
    )
    print(f"bytes served per kiosk for N+1: median {served[len(served) // 2]:,}, max {served[-1]:,}")
    print(
        f"roll back to N → all {args.kiosks} on N: {back:.1f} s (bytes per kiosk: median {rolled[len(rolled) // 2]:,})"
    )
    print(f"hub says: {json.dumps(status)[:300]}")


def _canaries(db: str, kiosk_ids: list[str]) -> None:
    from sqlalchemy import create_engine, update

    from kiosk_hub.fleet.models import FleetKiosk

    engine = create_engine(db)
    with engine.begin() as conn:
        conn.execute(update(FleetKiosk).where(FleetKiosk.kiosk_id.in_(kiosk_ids)).values(canary=True))
    engine.dispose()


def _release_n(work: Path) -> Path:
    """A bundle of N for the hub's catalogue (the rollback target), built like N+1's."""
    build_wheels([source_copy(work / "src-n", N)], work / "wheels-n")
    return slim_bundle(work / "bundle-n", N, work / "wheels-n")


if __name__ == "__main__":
    main()
