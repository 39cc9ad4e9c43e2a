"""The demo's outage scenario (`kiosk.demo.outage.hub_outage`) on the embedded hub, driven headless with a
walk that dispatches the flow's events where the demo taps the screens: it passes, and fails loudly when the kiosk
does not issue a provisional ticket."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from kiosk.backend_client.client import HisClient
from kiosk.demo.devices import DemoPrinter
from kiosk.demo.outage import hub_outage, step_failed
from kiosk.demo.script import DemoStepError
from kiosk.domain.ticket import VisitType
from kiosk.embedded_hub import EmbeddedHub, embedded_hub
from kiosk.flow.events import Cancel, CardPresented, ChooseDepartment, ChooseVisit, Confirm
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig

pytestmark = pytest.mark.slow


@dataclass
class HeadlessWalk:
    """The demo's `Walk` without Kivy: the same flow service, hub and printer; events instead of taps."""

    service: FlowService
    hub: EmbeddedHub
    printer: DemoPrinter
    scenario: str = "hub-outage"
    shots: list[str] = field(default_factory=list)

    async def present(self, event: CardPresented) -> None:
        self.service.dispatch(event)
        await self.service.idle()

    async def take_ticket(self, visit_key: str) -> None:
        assert visit_key == "visit.bhyt"
        self.service.dispatch(ChooseVisit(VisitType.BHYT))
        await self.service.idle()
        self.service.dispatch(ChooseDepartment(next(d for d in self.service.session.departments if d.open_now).id))
        self.service.dispatch(Confirm())
        await self.service.idle()

    def expect(self, step: Step) -> None:
        if self.service.session.step != step:
            raise step_failed(f"expected {step}, at {self.service.session.step}")

    async def shot(self, name: str) -> None:
        self.shots.append(name)

    async def finish(self) -> None:
        self.service.dispatch(Cancel())
        await self.service.idle()


async def _walk(tmp_path: Path, hub: EmbeddedHub) -> HeadlessWalk:
    his = HisClient(hub.client, token=hub.token)
    service = FlowService(FlowConfig(hospital_name="Bệnh viện Đa khoa Demo"), his, DemoPrinter())
    printer = service._printer
    assert isinstance(printer, DemoPrinter)
    return HeadlessWalk(service, hub, printer)


async def test_the_outage_scenario_prints_a_provisional_ticket_and_replays_it(tmp_path: Path) -> None:
    async with embedded_hub(tmp_path) as hub:
        walk = await _walk(tmp_path, hub)
        his_before = walk.service._his
        await hub_outage(walk)
        assert walk.service._his is his_before  # the demo's own HIS port is given back
        assert walk.shots == ["hub-cut", "provisional-ticket"]
        printed = walk.printer.tickets[-1]
        assert printed.provisional
        assert "/t/k/" in printed.status_url
        with hub.hub.engine.connect() as db:
            numbers = [n for (n,) in db.execute(text("SELECT number FROM tickets WHERE department_id IS NOT NULL"))]
        assert printed.queue_number in numbers  # in the hub's queue at the printed number
        assert len(numbers) == len(set(numbers))
        assert walk.service.session.step == Step.HOME


class NoTicketWalk(HeadlessWalk):
    """A walk whose patient never confirms: the scenario must say so, not pass."""

    async def take_ticket(self, visit_key: str) -> None:
        self.service.dispatch(ChooseVisit(VisitType.BHYT))
        await self.service.idle()


async def test_the_scenario_fails_when_no_provisional_ticket_comes(tmp_path: Path) -> None:
    async with embedded_hub(tmp_path) as hub:
        walk: Any = await _walk(tmp_path, hub)
        broken = NoTicketWalk(walk.service, hub, walk.printer)
        with pytest.raises(DemoStepError, match="hub-outage"):
            await hub_outage(broken)
        assert broken.service._his is walk.service._his
