"""The whole flow service through the outage wrapper, hub process cut: the patient goes from card to printed
ticket without noticing, the ticket says it is provisional, and the hub has it at that number afterwards."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from kiosk.demo.devices import chip_identity, demo_card
from kiosk.domain.ticket import VisitType
from kiosk.flow.events import CardPresented, ChooseDepartment, ChooseVisit, Confirm
from kiosk.flow.fakes import FakePrinter
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig
from tests.offline.harness import FaultyLink, HubSite, kiosk

pytestmark = pytest.mark.slow
CONFIG = FlowConfig(hospital_name="Bệnh viện Đa khoa Demo")


async def test_a_chip_check_in_with_the_hub_gone_prints_a_provisional_ticket(tmp_path: Path, gateway_url: str) -> None:
    site = HubSite.create(tmp_path, gateway_url)
    data = tmp_path / "kiosk"
    card = demo_card("000")
    with FaultyLink() as link:
        async with kiosk(data, link.url, site.tokens[0]) as his:
            with site.serving(link):
                await his.maintain()
            printer = FakePrinter()
            service = FlowService(CONFIG, his, printer)
            service.dispatch(CardPresented(chip_identity(card)))
            await service.idle()
            assert service.session.step == Step.VISIT_TYPE
            assert service.session.entitlement is not None
            assert service.session.entitlement.to_recheck  # the screen says the card will be checked later
            service.dispatch(ChooseVisit(VisitType.BHYT))
            await service.idle()
            department = next(d for d in service.session.departments if d.open_now)
            service.dispatch(ChooseDepartment(department.id))
            service.dispatch(Confirm())
            await service.idle()
            assert service.session.step == Step.DONE
            printed = printer.tickets[0]
            assert printed.provisional
            lease = next(x for x in his.held_leases() if x.department_id == department.id and x.lane == "normal")
            assert lease.first_number <= printed.queue_number <= lease.last_number
            with site.serving(link):
                await asyncio.sleep(0.25)
                assert await his.maintain() == 1
    rows = site.rows(
        "SELECT t.number, t.department_id FROM tickets t JOIN demo_patients p ON p.id = t.patient_ref "
        f"WHERE p.full_name = '{card.full_name}'"
    )
    assert rows == [(printed.queue_number, department.id)]
    assert site.rows("SELECT count(*) FROM entitlement_rechecks WHERE done = 0") == [(1,)]
