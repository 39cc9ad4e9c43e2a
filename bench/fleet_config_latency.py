"""Time from "save" in the admin console to the configuration applied on an idle kiosk, over real HTTP.

Starts `kiosk-hub serve` on loopback, logs in as an admin through the console's forms, enrols a headless kiosk
(the real sync agent and heartbeat sender, probes passing), then repeatedly: waits a random part of the poll
interval, saves a changed configuration, starts its rollout (two form posts, as IT clicks), and waits until the
kiosk has applied it. Goal: at most one poll interval + 1 s.

    .venv/bin/python bench/fleet_config_latency.py [--interval 5] [--samples 8]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk_hub.access.roles import Role
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.fleet.console_client import add_console_user, editor_form, log_in, post_form
from tests.fleet.headless_kiosk import HeadlessKiosk
from tests.hub.servers import hub_process


async def enrolment_code(console: httpx.AsyncClient) -> str:
    page = await post_form(console, "/fleet/enrol", "/fleet/enrol", {"group_id": ""})
    return page.text.split('id="enrolment-code"')[1].split(">")[1].split("<")[0]


async def save_and_roll_out(console: httpx.AsyncClient, seconds: int) -> int:
    form = editor_form((await console.get("/fleet/config")).text)
    form["idle.screen_seconds"] = str(seconds)
    saved = await console.post("/fleet/config", data=form)
    version = int(saved.headers["location"].rsplit("=", 1)[1])
    page = (await console.get("/fleet/rollouts")).text
    group_id = page.split('name="group_id" value="')[1].split('"')[0]
    await post_form(console, "/fleet/rollouts", "/fleet/rollouts", {"group_id": group_id, "version": str(version)})
    return version


async def measure(base: str, tmp: Path, interval: float, samples: int) -> list[float]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as console:
        await log_in(console, "bench-admin")
        kiosk = HeadlessKiosk(base, await enrolment_code(console), "bench-kiosk", tmp / "kiosk", interval).start()
        results = []
        try:
            for n in range(samples):
                await asyncio.sleep(random.uniform(0, interval))
                started = time.monotonic()
                version = await save_and_roll_out(console, 30 + n)
                applied = await asyncio.to_thread(kiosk.wait_for_version, version, interval * 3 + 10)
                results.append(applied - started)
                print(f"  v{version}: {results[-1]:.2f} s", flush=True)
        finally:
            kiosk.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=5.0, help="the kiosk's poll and heartbeat interval (s)")
    parser.add_argument("--samples", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fleet-latency-") as tmp_s:
        tmp = Path(tmp_s)
        url = f"sqlite:///{tmp / 'hub.sqlite3'}"
        upgrade(url)
        hub = build_hub(HubSettings(database_url=url))
        add_console_user(hub, "bench-admin", Role.ADMIN)
        hub.engine.dispose()
        with hub_process(url) as base:
            results = asyncio.run(measure(base, tmp, args.interval, args.samples))
    print(
        f"save→applied over {len(results)} saves, poll interval {args.interval:g} s: "
        f"median {statistics.median(results):.2f} s, max {max(results):.2f} s "
        f"(goal ≤ {args.interval + 1:g} s: {'met' if max(results) <= args.interval + 1 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
