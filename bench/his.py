"""What connecting a HIS costs: the REST adapter's added latency per check-in, how soon the visit reaches the HIS,
and how fast the outbox is delivered as signed webhooks.

    .venv/bin/python bench/his.py [--checkins 300] [--concurrency 1,16] [--events 3000] [--no-postgres]

Check-in: a hub process (`kiosk-hub serve`, SQLite) answers a kiosk's two calls, the patient lookup by CCCD and
the ticket, first with the hub's own register as the HIS, then with the `rest` adapter reaching the reference HIS
over loopback HTTP (same machine, so the HIS's own time is near zero: the figure is the adapter's and the network
stack's). The visit is opened in the background; "visit in HIS" is the time from the ticket's answer to the
opening at the reference HIS. Delivery: N events in the outbox (tickets issued in batches), one webhook
subscription to a loopback receiver in its own process that checks each signature, rounds until all are delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk_hub import wire
from kiosk_hub.events.models import WebhookDelivery
from kiosk_hub.events.publisher import publish
from kiosk_hub.events.worker import events_round
from kiosk_hub.his import contract as c
from kiosk_hub.his.rest import RestHis, rest_client
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.queue.tickets import IssueRequest
from kiosk_hub.settings import EventSettings, HubSettings
from tests.hub.conftest import enrol, seed
from tests.hub.servers import hub_process, serve_in_thread, uvicorn_process
from tests.hub.test_event_feed import SECRET, subscribe
from tests.support.postgres import available, running_postgres
from tests.support.reference_his import TOKEN, ReferenceHis, create_reference_his


def cccd(i: int) -> str:
    return f"001{90 + i % 9:03d}{i:06d}"[-12:]


def patients(n: int) -> list[c.PatientRegistration]:
    return [
        c.PatientRegistration(full_name=f"Bệnh nhân Thử {i}", date_of_birth="1980-01-01", id_number=cccd(i))
        for i in range(n)
    ]


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else values[0] * 1000


async def check_ins(url: str, token: str, n: int, concurrency: int, tag: str) -> tuple[list[float], dict[str, float]]:
    """Lookup + ticket per patient; latencies and when each ticket was answered (by ticket id)."""
    latencies: list[float] = []
    answered: dict[str, float] = {}
    queue = iter(range(n))
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:

        async def worker() -> None:
            for i in queue:
                started = time.perf_counter()
                found = await client.post("/api/v1/patients/lookup", json={"kind": "cccd", "value": cccd(i)})
                found.raise_for_status()
                body = {"department_id": "NOI", "patient_id": found.json()["id"], "visit_type": "fee"}
                ticket = await client.post("/api/v1/tickets", json=body, headers={"Idempotency-Key": f"{tag}-{i}"})
                ticket.raise_for_status()
                latencies.append(time.perf_counter() - started)
                answered[ticket.json()["id"]] = time.time()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, answered


def prepare_hub(url: str, register_patients: bool, n: int) -> str:
    upgrade(url)
    hub = build_hub(HubSettings(database_url=url))
    seed(hub)
    if register_patients:
        for registration in patients(n):
            hub.his.register_patient(registration)
    token = enrol(hub)
    hub.engine.dispose()
    return token


def checkin_bench(tmp: str, n: int, levels: list[int]) -> None:
    print("check-in (lookup + ticket), hub on SQLite, one process")
    print(f"{'adapter':<10} {'clients':>7} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'visit in HIS p50/p99 ms':>26}")
    his = ReferenceHis()
    with serve_in_thread(create_reference_his(his)) as his_url:
        with rest_client(his_url, TOKEN, 5) as http:
            adapter = RestHis(http)
            for registration in patients(n):
                adapter.register_patient(registration)
        for name in ("register", "rest"):
            for clients in levels:
                db = f"sqlite:///{tmp}/checkin-{name}-{clients}.sqlite3"
                token = prepare_hub(db, name == "register", n)
                # One token stands for a fleet of kiosks here: the per-kiosk lookup allowance is lifted for it.
                env = {"KIOSK_HUB_HIS_ADAPTER": name, "KIOSK_HUB_HIS_URL": his_url, "KIOSK_HUB_HIS_TOKEN": TOKEN,
                       "KIOSK_HUB_HIS_POLL_SECONDS": "0.05", "PYTHONWARNINGS": "ignore",
                       "KIOSK_HUB_LOOKUP_BURST": "1000000", "KIOSK_HUB_LOOKUP_REFILL_SECONDS": "0.001"}  # fmt: skip
                his.opened_at.clear()
                with hub_process(db, env) as hub_url:
                    asyncio.run(check_ins(hub_url, token, min(n, 20), clients, f"warm-{clients}"))
                    latencies, answered = asyncio.run(check_ins(hub_url, token, n, clients, f"run-{clients}"))
                    time.sleep(1.0)  # the dispatcher's last rounds
                opened = {o.ticket_id: his.opened_at[o.visit_ref] for o in his.openings if o.visit_ref in his.opened_at}
                lags = [opened[t] - at for t, at in answered.items() if t in opened]
                lag = f"{pct(lags, 50):.0f} / {pct(lags, 99):.0f} ({len(lags)})" if name == "rest" and lags else "—"
                print(f"{name:<10} {clients:>7} {len(latencies):>5} {pct(latencies, 50):>8.1f} "
                      f"{pct(latencies, 99):>8.1f} {lag:>26}", flush=True)  # fmt: skip


async def deliver_all(url: str, events: int) -> tuple[float, float]:
    """(seconds to publish, seconds to deliver) `events` ticket events to a receiver in its own process."""
    upgrade(url)
    cmd = [sys.executable, "-m", "tests.support.webhook_receiver", SECRET]
    with uvicorn_process(cmd) as receiver:
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
        async with httpx.AsyncClient(limits=limits) as http:
            settings = HubSettings(database_url=url, events=EventSettings(concurrency=16))
            hub = build_hub(settings, http=http)
            seed(hub)
            kiosk = hub.gate.kiosk_id(enrol(hub))
            assert kiosk is not None
            subscribe(hub, f"{receiver}/hooks/his")
            for start in range(0, events, 200):
                batch = [IssueRequest(kiosk, f"e{i}", wire.TicketRequest(department_id="NOI", patient_id=f"p{i}"))
                         for i in range(start, min(events, start + 200))]  # fmt: skip
                hub.queue.issue_many(batch)
            started = time.perf_counter()
            while publish(hub.writer, hub.clock()):
                pass
            published = time.perf_counter() - started
            started = time.perf_counter()
            while True:
                if not await events_round(hub):
                    with hub.reader() as session:
                        if not session.scalar(select(func.count()).select_from(WebhookDelivery)):
                            break
                    await asyncio.sleep(0.01)
            delivered = time.perf_counter() - started
            stats = (await http.get(f"{receiver}/stats")).json()
            hub.engine.dispose()
    assert stats == {"taken": events, "refused": 0}, stats
    return published, delivered


def delivery_bench(tmp: str, events: int, postgres: bool) -> None:
    print(f"\noutbox delivery: {events} events, one subscription, 16 requests in flight, receiver checks signatures")
    stores = [("sqlite", lambda: f"sqlite:///{tmp}/delivery.sqlite3")]
    for store, make in stores:
        published, delivered = asyncio.run(deliver_all(make(), events))
        print(f"{store:<10} published {events / published:>8.0f}/s   delivered {events / delivered:>6.0f} events/s")
    if postgres and available():
        with running_postgres(durable=True) as pg:
            published, delivered = asyncio.run(deliver_all(pg.create_database("bench_delivery"), events))
            rates = f"published {events / published:>8.0f}/s   delivered {events / delivered:>6.0f} events/s"
            print(f"{'postgresql':<10} {rates}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkins", type=int, default=300)
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(f"cpus {os.cpu_count()}, load average at start {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="his-bench-") as tmp:
        checkin_bench(tmp, args.checkins, [int(x) for x in args.concurrency.split(",")])
        delivery_bench(tmp, args.events, not args.no_postgres)
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
