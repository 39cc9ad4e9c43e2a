"""The outage scenario of `kiosk demo --script` and `kiosk outage`: the embedded hub is cut off mid-morning, the
next patient still gets a ticket (provisional, from the kiosk's lease, printed "SỐ TẠM" with the BHYT check
pending), the line comes back and the journal is replayed into the hub's queue at the printed number.

`hub_outage(walk)` is one scenario for the walkthrough (`kiosk/demo/script.py`'s `SCENARIOS`): it needs only
what `Walk` has (`service`, `hub`, `printer`, `present`, `take_ticket`, `expect`, `shot`, `finish`). For the time
of the scenario the flow service talks to the hub through `ResilientHis` over a line the scenario can cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from kiosk.backend_client.client import HisClient
from kiosk.demo.devices import DemoPrinter, chip_identity, demo_card
from kiosk.demo.walk import DemoStepError, expect_answer
from kiosk.domain.ticket import VisitType
from kiosk.embedded_hub import EmbeddedHub, embedded_hub
from kiosk.flow.events import CardPresented, ChooseDepartment, ChooseVisit, Confirm
from kiosk.flow.ports import HisPort
from kiosk.flow.records import IssuedTicket, PresentedIdentity
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig
from kiosk.offline.breaker import CircuitBreaker
from kiosk.offline.lease_client import LeaseClient
from kiosk.offline.resilient_his import ResilientHis
from kiosk.offline.store import OfflineStore
from kiosk_hub.bhxh.demo_cards import DemoCard

OPEN_FOR_S = 0.5  # the breaker's open time in the demo (5 s on a kiosk): the replay follows the line's return


def step_failed(why: str) -> DemoStepError:
    """A step where the kiosk did not do what it must: the walkthrough's own step error, so the walkthrough reports
    the scenario as failed and goes on."""
    return DemoStepError(f"hub-outage: {why}")


class DemoWalk(Protocol):
    """What the scenario uses of the demo walkthrough's `Walk`."""

    service: FlowService
    hub: EmbeddedHub
    scenario: str

    @property
    def printer(self) -> DemoPrinter: ...

    async def present(self, event: CardPresented) -> None: ...

    async def take_ticket(self, visit_key: str) -> None: ...

    def expect(self, step: Step) -> None: ...

    async def shot(self, name: str) -> None: ...

    async def finish(self) -> None: ...


class CuttableLine(httpx.AsyncBaseTransport):
    """The kiosk's line to the embedded hub (through the hub's own client), with a switch: cut, every request fails
    as a refused connection does."""

    def __init__(self, hub_client: httpx.AsyncClient) -> None:
        self._hub_client = hub_client
        self.cut = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.cut:
            raise httpx.ConnectError("the hub is unreachable (outage scenario)", request=request)
        await request.aread()
        answer = await self._hub_client.send(request)
        # The body as read (already decoded): its length and encoding headers are the ones httpx sets again.
        headers = [(k, v) for k, v in answer.headers.items() if k not in ("content-encoding", "content-length")]
        return httpx.Response(answer.status_code, headers=headers, content=answer.content)


@contextlib.contextmanager
def talking_through(service: FlowService, his: HisPort) -> Iterator[None]:
    """The flow service's HIS port replaced for the scenario, then given back (FlowService has no setter: the demo
    swaps it in place rather than building a second app)."""
    before = service._his
    service._his = his
    try:
        yield
    finally:
        service._his = before


@contextlib.asynccontextmanager
async def resilient_line(
    hub: EmbeddedHub, wall: Callable[[], datetime] | None = None
) -> AsyncIterator[tuple[ResilientHis, CuttableLine, httpx.AsyncClient]]:
    """A `ResilientHis` on the embedded hub over a cuttable line, its store in a temporary directory; `wall` is the
    demo's clock (the hub's), so the kiosk's provisional day is the hub's day."""
    line = CuttableLine(hub.client)
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-offline-") as tmp:
        async with httpx.AsyncClient(transport=line, base_url=str(hub.client.base_url)) as http:
            store = OfflineStore(Path(tmp))
            try:
                his = ResilientHis(
                    HisClient(http, token=hub.token),
                    store,
                    LeaseClient(http, token=hub.token),
                    status_url=str(http.base_url),
                    breaker=CircuitBreaker("hub", open_for_s=OPEN_FOR_S),
                    clock=wall or (lambda: datetime.now(UTC)),
                )
                yield his, line, http
            finally:
                store.close()


async def hub_outage(w: DemoWalk, *, card: DemoCard | None = None) -> None:
    """Line cut → a BHYT check-in ends with a provisional ticket → line back → replayed, journal empty, and the
    ticket's QR page now redirects to its status page. The patient is one the walkthrough has not met (a card the
    BHXH will send to the desk: the ticket says the check happens there)."""
    wall = getattr(getattr(w, "clock", None), "wall", None)  # the demo's DemoClock, when the walk has one
    async with resilient_line(w.hub, wall) as (his, line, http):
        await his.maintain()  # today's leases and the department list, as the background round does
        if not his.held_leases():
            raise step_failed("no number lease from the hub")
        line.cut = True
        with talking_through(w.service, his):
            await w.present(CardPresented(chip_identity(card or demo_card("001"))))
            expect_answer(w, lambda answer: answer.to_recheck, "hub cut: the card must be marked to re-check")
            await w.shot("hub-cut")
            await w.take_ticket("visit.bhyt")
            w.expect(Step.DONE)
            printed = w.printer.tickets[-1] if w.printer.tickets else None
            if printed is None or not printed.provisional:
                raise step_failed("hub cut: a provisional ticket must be printed")
            await w.shot("provisional-ticket")
            from kiosk.i18n.catalogue import translate
            from kiosk.screens.pilot import texts

            pending = translate("ticket.provisional_bhyt", w.service.session.language)
            root = getattr(w, "root", None)  # the demo's walk draws screens; the headless one in tests does not
            if root is not None and not any(pending in text for text in texts(root)):
                raise step_failed("hub cut: the screen must say the number is provisional and the card not checked")
            await w.finish()
        if his.health()["hub"] == "closed" or his.health()["journal"] != 1:
            raise step_failed(f"hub cut: expected the breaker open and one journaled ticket, got {his.health()}")
        line.cut = False
        await asyncio.sleep(OPEN_FOR_S + 0.1)  # the breaker's open time passes; the next round is the probe
        if await his.maintain() != 1 or his.health() != {"hub": "closed", "journal": 0}:
            raise step_failed(f"line back: the journal must be replayed and empty, got {his.health()}")
        page = await http.get(urlsplit(printed.status_url).path)
        if page.status_code != 303:
            raise step_failed(f"line back: the ticket's QR page must lead to its status page ({page.status_code})")


async def outage_report(pictures: Path | None) -> dict[str, Any]:
    """`kiosk outage`: one patient checks in, the line is cut, the next still gets a (provisional) ticket, the line
    comes back and the journal is replayed; what happened, as one JSON-ready dict."""
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


async def _check_in(service: FlowService, identity: PresentedIdentity) -> IssuedTicket | None:
    service.dispatch(CardPresented(identity))
    await service.idle()
    service.dispatch(ChooseVisit(VisitType.BHYT))
    await service.idle()
    departments = service.session.departments
    department = next((d for d in departments if d.open_now), departments[0])
    service.dispatch(ChooseDepartment(department.id))
    service.dispatch(Confirm())
    await service.idle()
    return service.session.ticket
