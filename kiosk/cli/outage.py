"""`kiosk outage`: the outage scenario, headless: a patient checks in on the embedded hub, the hub is cut off, the
next patient still gets a (provisional) ticket from the kiosk's lease, the hub comes back and the journal is replayed.

Prints one JSON line: both tickets, how long the offline check-in took, what the hub made of the replay.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("outage", help="the outage scenario: tickets keep coming while the hub is cut off")
    parser.add_argument("--pictures", type=Path, help="save each printed ticket as a picture in this directory")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print(json.dumps(asyncio.run(_scenario(args.pictures)), ensure_ascii=False))
    return 0


async def _check_in(service: Any, identity: Any) -> Any:
    from kiosk.flow.events import CardPresented, ChooseDepartment, ChooseVisit, Confirm
    from kiosk.flow.records import VisitKind

    service.dispatch(CardPresented(identity))
    await service.idle()
    service.dispatch(ChooseVisit(VisitKind.BHYT))
    await service.idle()
    departments = service.session.departments
    department = next((d for d in departments if d.open_now), departments[0])
    service.dispatch(ChooseDepartment(department.id))
    service.dispatch(Confirm())
    await service.idle()
    return service.session.ticket


async def _scenario(pictures: Path | None) -> dict[str, Any]:
    from kiosk.cli._demo_devices import DemoPrinter, chip_identity, demo_card
    from kiosk.embedded_hub import embedded_hub
    from kiosk.flow.service import FlowService
    from kiosk.flow.transition import FlowConfig
    from kiosk.offline.demo_outage import OPEN_FOR_S, resilient_line

    with tempfile.TemporaryDirectory(prefix="kiosk-outage-") as tmp:
        async with embedded_hub(Path(tmp)) as hub, resilient_line(hub) as (his, line, _http):
            await his.maintain()  # leases and the department list, as the background round does
            printer = DemoPrinter(pictures=pictures)
            service = FlowService(FlowConfig(hospital_name="Bệnh viện Đa khoa Demo"), his, printer)
            online = await _check_in(service, chip_identity(demo_card("000", 0)))
            line.cut = True
            started = time.perf_counter()
            offline = await _check_in(FlowService(service.config, his, printer), chip_identity(demo_card("000", 1)))
            seconds = time.perf_counter() - started
            during = his.health()
            line.cut = False
            await asyncio.sleep(OPEN_FOR_S + 0.1)  # the breaker's open state ends; the next round probes the hub
            replayed = await his.maintain()
            after = his.health()
    return {
        "online_ticket": online.display_number if online else None,
        "offline_ticket": offline.display_number if offline else None,
        "offline_printed_provisional": [t.provisional for t in printer.tickets],
        "offline_check_in_s": round(seconds, 3),
        "during_outage": during,
        "replayed": replayed,
        "after": after,
        "pictures": [str(p) for p in printer.saved],
    }
