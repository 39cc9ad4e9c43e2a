"""Time from hub loss to the first provisional ticket, against a check-in with the hub up (goal: ≤ 1 s extra).

A hub process (SQLite) on loopback behind a link the bench controls; the kiosk side is the real HIS client inside
the resilient port with its default breaker (open 5 s) and 0.8 s patience. Two ways to lose the hub: its process
stopped (connections refused/closed), and a hung hub (answers delayed 30 s). For each: the first check-in after
the loss (it discovers the loss), and the next one (breaker already open). Check-in = find, register, card check,
departments, ticket: the calls the flow makes.

    .venv/bin/python bench/offline_failover.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.offline_replay import simulated_gateway
from kiosk_hub.bhxh.simulator import create_simulator
from tests.hub.servers import serve_in_thread
from tests.offline.harness import FaultyLink, HubSite, check_in, kiosk, person

KNOWN = person("Nguyễn Văn An", "001085000001", "1985-03-15", "DN4010100000001")


async def timed(coro: object) -> tuple[float, bool]:
    started = time.perf_counter()
    ticket = await coro  # type: ignore[misc]
    return time.perf_counter() - started, bool(ticket.provisional)


async def one_round(root: Path, gateway_url: str, way: str, n: int) -> dict[str, float]:
    (root / f"{way}-{n}").mkdir()
    site = HubSite.create(root / f"{way}-{n}", gateway_url)
    with FaultyLink() as link:
        async with kiosk(root / f"{way}-{n}" / "kiosk", link.url, site.tokens[0], open_for_s=5.0) as his:
            with site.serving(link):
                await his.maintain()
                online = [await timed(check_in(his, KNOWN)) for _ in range(5)]
                assert not any(p for _, p in online)
                if way == "hung":
                    link.delay_s = 30.0
                    first = await timed(check_in(his, person("Bệnh Nhân Một", "001200000001", "1990-01-01")))
                    second = await timed(check_in(his, person("Bệnh Nhân Hai", "001200000002", "1990-01-01")))
            if way == "stopped":
                first = await timed(check_in(his, person("Bệnh Nhân Một", "001200000001", "1990-01-01")))
                second = await timed(check_in(his, person("Bệnh Nhân Hai", "001200000002", "1990-01-01")))
            assert first[1]
            assert second[1]
    baseline = statistics.median(t for t, _ in online)
    return {"online": baseline, "first": first[0], "next": second[0]}


async def run(rounds: int) -> dict[str, object]:
    logging.disable(logging.WARNING)  # the kiosk logs each failed call; the figures are the point here
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp, serve_in_thread(create_simulator(simulated_gateway())) as gw:
        for way in ("stopped", "hung"):
            figures = [await one_round(Path(tmp), gw, way, n) for n in range(rounds)]
            online = statistics.median(f["online"] for f in figures)
            first = sorted(f["first"] for f in figures)
            results[way] = {
                "online_checkin_ms_p50": round(online * 1000, 1),
                "first_provisional_ms_p50": round(statistics.median(first) * 1000, 1),
                "first_provisional_ms_max": round(first[-1] * 1000, 1),
                "extra_ms_max": round((first[-1] - online) * 1000, 1),
                "next_provisional_ms_p50": round(statistics.median(f["next"] for f in figures) * 1000, 1),
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.rounds)), ensure_ascii=False))


if __name__ == "__main__":
    main()
