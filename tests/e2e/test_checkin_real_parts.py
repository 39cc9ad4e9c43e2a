"""A patient is checked in across real parts: the hub (in-process ASGI app and its BHXH simulator, SQLite file),
the HIS client over HTTP semantics, the flow service, and the ESC/POS printer stack over TCP to the test printer,
whose bytes are parsed back. The chip read is simulated here (the pcscd test lives with the chip reader)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.backend_client.client import HisClient
from kiosk.demo.devices import chip_identity, demo_card
from kiosk.domain.dates import VN_TZ
from kiosk.domain.ticket import VisitType
from kiosk.embedded_hub import BASE_URL, EmbeddedHub, embedded_hub
from kiosk.flow.events import CardPresented, CardRemoved, ChooseDepartment, ChooseVisit, Confirm
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig
from kiosk.hardware.printer.blocks import PaperWidth, PrinterProfile
from kiosk.hardware.printer.ticket_printer import EscposTicketPrinter
from tests.support.escpos_fake import FakePrinterServer
from tests.support.escpos_parser import Qr, Text

MORNING = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[EmbeddedHub]:
    async with embedded_hub(tmp_path, lambda: MORNING) as running:
        yield running


@pytest.fixture
def test_printer() -> Iterator[FakePrinterServer]:
    server = FakePrinterServer().start()
    yield server
    server.power_off()


async def _check_in(service: FlowService, code: str, nth: int = 0) -> None:
    service.dispatch(CardPresented(chip_identity(demo_card(code, nth))))
    await service.idle()
    service.dispatch(ChooseVisit(VisitType.BHYT))
    await service.idle()
    department = next(d for d in service.session.departments if d.open_now)
    service.dispatch(ChooseDepartment(department.id))
    service.dispatch(Confirm())
    await service.idle()


async def test_the_ticket_out_of_the_printer_carries_the_number_the_hub_issued(
    hub: EmbeddedHub, test_printer: FakePrinterServer
) -> None:
    printer = EscposTicketPrinter.from_uri(test_printer.uri, PrinterProfile(paper=PaperWidth.MM80))
    his = HisClient(hub.client, token=hub.token)
    service = FlowService(FlowConfig("Bệnh viện Đa khoa Demo"), his, printer, wall=lambda: MORNING.astimezone(VN_TZ))
    try:
        await _check_in(service, "000")
        assert service.session.step == Step.DONE
        first = service.session.ticket
        service.dispatch(CardRemoved())
        await _check_in(service, "004")  # the next patient (a new card), same department and lane
        assert service.session.step == Step.DONE
        second = service.session.ticket
    finally:
        printer.close()
    assert first is not None
    assert second is not None
    papers = test_printer.printer.tickets()
    assert len(papers) == 2
    numbers = [[e.text for e in paper if isinstance(e, Text)] for paper in papers]
    assert second.number != first.number
    assert numbers == [[first.display_number], [second.display_number]]  # the hub's own writing, e.g. "0001"
    assert first.display_number == f"{first.number:04d}"
    qrs = [e.payload for e in papers[0] if isinstance(e, Qr)]
    assert qrs == [first.status_url]


async def test_a_printer_out_of_paper_is_found_before_the_hub_issues_a_number(
    hub: EmbeddedHub, test_printer: FakePrinterServer
) -> None:
    test_printer.printer.faults.paper_out = True
    printer = EscposTicketPrinter.from_uri(test_printer.uri, PrinterProfile(paper=PaperWidth.MM80))
    his = HisClient(hub.client, token=hub.token)
    service = FlowService(FlowConfig("Bệnh viện Đa khoa Demo"), his, printer, wall=lambda: MORNING.astimezone(VN_TZ))
    try:
        await _check_in(service, "000")
        assert (service.session.step, service.session.notice_key) == (Step.PRINTER_NOT_READY, "printer.paper_out")
        assert _tickets_at_the_hub(hub) == 0  # nothing committed: no number was taken for a ticket nobody holds
        service.dispatch(Confirm())  # the patient takes the number on screen
        await service.idle()
        assert service.session.step == Step.SCREEN_TICKET
        assert service.session.ticket is not None
        assert _tickets_at_the_hub(hub) == 1
    finally:
        printer.close()
    assert test_printer.printer.tickets() == []


def _tickets_at_the_hub(hub: EmbeddedHub) -> int:
    from sqlalchemy import func, select

    from kiosk_hub.db.models import Ticket

    with hub.hub.writer() as session:
        return int(session.scalar(select(func.count()).select_from(Ticket)) or 0)


async def test_a_priority_number_reads_the_same_on_paper_on_screen_and_at_the_hub(
    hub: EmbeddedHub, test_printer: FakePrinterServer
) -> None:
    printer = EscposTicketPrinter.from_uri(test_printer.uri, PrinterProfile(paper=PaperWidth.MM80))
    his = HisClient(hub.client, token=hub.token)
    service = FlowService(FlowConfig("Bệnh viện Đa khoa Demo"), his, printer, wall=lambda: MORNING.astimezone(VN_TZ))
    try:
        await _check_in(service, "000", nth=1)  # born 1948: aged 75+, the priority lane
        assert service.session.step == Step.DONE
    finally:
        printer.close()
    ticket = service.session.ticket
    assert ticket is not None
    status_page = await hub.client.get(ticket.status_url.removeprefix(BASE_URL))
    assert status_page.status_code == 200
    assert ticket.display_number.startswith("UT-")  # the hub's priority lane
    assert ticket.display_number in status_page.text  # the hub's own page for the ticket
    (paper,) = test_printer.printer.tickets()
    (number,) = [e for e in paper if isinstance(e, Text)]
    assert number.text == ticket.display_number  # paper = screen (session.ticket) = hub
    assert len(number.text) * 12 * number.width_scale <= int(PaperWidth.MM80)  # on one line of 80 mm paper
