"""The whole flow service on the real hub (in-process ASGI, BHXH simulator): what the patient gets is what the hub
recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from kiosk.backend_client.client import HisClient
from kiosk.demo.devices import chip_identity, demo_card
from kiosk.domain.dates import VN_TZ
from kiosk.domain.dates import parse_iso_partial_date as dob
from kiosk.domain.ticket import VisitType
from kiosk.embedded_hub import EmbeddedHub
from kiosk.flow.events import CardPresented, ChooseDepartment, ChooseVisit, Confirm
from kiosk.flow.fakes import FakePrinter
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig

CONFIG = FlowConfig(hospital_name="Bệnh viện Đa khoa Demo")
MORNING = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def service_on(client: HisClient, printer: FakePrinter) -> FlowService:
    return FlowService(CONFIG, client, printer, wall=lambda: MORNING.astimezone(VN_TZ))


async def test_a_chip_check_in_prints_the_number_the_hub_issued(hub: EmbeddedHub, client: HisClient) -> None:
    printer = FakePrinter()
    service = service_on(client, printer)
    service.dispatch(CardPresented(chip_identity(demo_card("000"))))
    await service.idle()
    assert service.session.step == Step.VISIT_TYPE
    service.dispatch(ChooseVisit(VisitType.BHYT))
    await service.idle()
    department = next(d for d in service.session.departments if d.open_now)
    service.dispatch(ChooseDepartment(department.id))
    service.dispatch(Confirm())
    await service.idle()
    assert service.session.step == Step.DONE
    ticket = service.session.ticket
    assert ticket is not None
    answer = await hub.client.get(f"/api/v1/tickets/{ticket.id}", headers={"Authorization": f"Bearer {hub.token}"})
    assert answer.json()["number"] == ticket.number == printer.tickets[0].queue_number
    assert answer.json()["visit_type"] == "bhyt"


@pytest.mark.parametrize(
    ("code", "step"),
    [("010", Step.ENTITLEMENT_PROBLEM), ("110", Step.DESK), ("054", Step.DESK), ("500", Step.VISIT_TYPE)],
)
async def test_gateway_answers_lead_the_patient_on_the_real_hub(client: HisClient, code: str, step: Step) -> None:
    printer = FakePrinter()
    service = service_on(client, printer)
    service.dispatch(CardPresented(chip_identity(demo_card(code))))
    await service.idle()
    assert service.session.step == step
    if step == Step.DESK:
        assert printer.slips[0].reason_code == f"bhxh_{code}"


async def test_a_wrong_birth_date_is_retried_once_with_the_gateways_date(client: HisClient) -> None:
    card = demo_card("000")
    misread = replace(chip_identity(card), date_of_birth=dob("1985-03-16"))  # the gateway holds 15/03/1985
    service = service_on(client, FakePrinter())
    service.dispatch(CardPresented(misread))
    await service.idle()
    assert service.session.retried_with_correction
    assert service.session.step == Step.VISIT_TYPE
    assert service.session.identity is not None
    assert service.session.identity.date_of_birth == dob(card.iso_date_of_birth)


async def test_a_second_mismatch_sends_the_patient_to_the_desk(client: HisClient) -> None:
    printer = FakePrinter()
    service = service_on(client, printer)
    service.dispatch(CardPresented(chip_identity(demo_card("070"))))  # this card always answers 070
    await service.idle()
    assert service.session.retried_with_correction
    assert service.session.step == Step.DESK
    assert printer.slips[0].reason_code == "bhxh_070"
