"""Time to drain a kiosk's journal once the hub is back: N registrations issued offline, then replayed.

A hub process (SQLite) on loopback behind a link the bench cuts; earlier traffic (tickets issued through the
hub's own queue book) sizes the leases as on a busy morning. The N patients are new to the HIS, so each replay also
registers the patient and queues the BHXH re-check. Prints journal-write and drain figures.

    .venv/bin/python bench/offline_replay.py [--registrations 500]
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.domain.ticket import Lane
from kiosk_hub.bhxh.client import password_md5
from kiosk_hub.bhxh.simulator import SimulatedGateway, create_simulator
from kiosk_hub.his.demo_seed import DEPARTMENTS
from kiosk_hub.hub import build_hub
from kiosk_hub.queue.tickets import IssueRequest
from kiosk_hub.settings import HubSettings
from kiosk_hub.wire import TicketRequest
from tests.hub.conftest import FACILITY_PASSWORD, FACILITY_USER, OFFICER, bhxh_settings, enrol
from tests.hub.servers import serve_in_thread
from tests.offline.harness import FaultyLink, HubSite, check_in, kiosk, person

TRAFFIC_PER_LANE = 80  # an hour's tickets per department lane: enough for the largest block


def simulated_gateway() -> SimulatedGateway:
    return SimulatedGateway(
        username=FACILITY_USER,
        password_md5=password_md5(FACILITY_PASSWORD, uppercase=False),
        officer_name=OFFICER[0],
        officer_id_number=OFFICER[1],
    )


def busy_morning(site: HubSite) -> None:
    """Tickets issued through the hub's own queue book in the last hour, by another kiosk."""
    hub = build_hub(HubSettings(database_url=site.database_url, bhxh=bhxh_settings(site.gateway_url)))
    kiosk_id = hub.gate.kiosk_id(enrol(hub, "kiosk-traffic"))
    assert kiosk_id is not None
    for department in DEPARTMENTS:
        for lane in Lane:
            for _ in range(TRAFFIC_PER_LANE):
                body = TicketRequest(department_id=department[0], lane=lane)
                hub.queue.issue(IssueRequest(kiosk_id, str(uuid.uuid4()), body))
    hub.engine.dispose()


async def run(count: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp, serve_in_thread(create_simulator(simulated_gateway())) as gw:
        site = HubSite.create(Path(tmp), gw)
        busy_morning(site)
        with FaultyLink() as link:
            async with kiosk(Path(tmp) / "kiosk", link.url, site.tokens[0]) as his:
                with site.serving(link):
                    await his.maintain()
                plan = [(lease.department_id, Lane(lease.lane)) for lease in his.held_leases()]
                capacity = sum(lease.remaining for lease in his.held_leases())
                writes = []
                for n in range(min(count, capacity)):
                    department, lane = plan[n % len(plan)]
                    who = person("Bệnh Nhân Thử", f"0012000{n:05d}", "1980-01-01")
                    started = time.perf_counter()
                    ticket = await check_in(his, who, department, lane=lane)
                    writes.append(time.perf_counter() - started)
                    assert ticket.provisional
                journaled = his.health()["journal"]
                with site.serving(link):
                    await asyncio.sleep(0.25)  # the breaker's open state ends
                    started = time.perf_counter()
                    confirmed = await his.maintain()
                    drain = time.perf_counter() - started
                left = his.health()["journal"]
        duplicates = site.rows(
            "SELECT count(*) FROM (SELECT 1 FROM tickets GROUP BY department_id, day, lane, number HAVING count(*) > 1)"
        )[0][0]
    writes.sort()
    return {
        "leased_numbers": capacity,
        "journaled": journaled,
        "offline_checkin_ms_p50": round(statistics.median(writes) * 1000, 2),
        "offline_checkin_ms_p95": round(writes[int(len(writes) * 0.95)] * 1000, 2),
        "confirmed": confirmed,
        "drain_s": round(drain, 2),
        "drain_per_registration_ms": round(drain / max(1, confirmed) * 1000, 2),
        "journal_left": left,
        "duplicate_numbers": duplicates,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrations", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.registrations)), ensure_ascii=False))


if __name__ == "__main__":
    main()
