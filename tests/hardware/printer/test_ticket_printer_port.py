"""The flow's printer port on the real TCP transport: prints and confirms, or raises with a message key."""

from __future__ import annotations

import pytest

from kiosk.domain.printer_state import PrinterState
from kiosk.hardware.printer.blocks import PaperWidth, PrinterProfile
from kiosk.hardware.printer.escpos_adapter import open_transport
from kiosk.hardware.printer.sample import sample_desk_slip, sample_ticket
from kiosk.hardware.printer.ticket_printer import EscposTicketPrinter, TicketNotPrinted
from kiosk.hardware.printer.uri import PrinterError, parse_printer_uri
from kiosk.hardware.printer.worker import PrinterWorker
from tests.support.escpos_fake import FakePrinterServer
from tests.support.escpos_parser import Qr, Text


async def test_a_ticket_and_a_desk_slip_print_through_the_port(fake_printer: FakePrinterServer) -> None:
    printer = EscposTicketPrinter.from_uri(fake_printer.uri, PrinterProfile(paper=PaperWidth.MM58))
    try:
        assert (await printer.check()).state is PrinterState.READY
        await printer.print_ticket(sample_ticket())
        await printer.print_desk_slip(sample_desk_slip())
    finally:
        printer.close()
    ticket, slip = fake_printer.printer.tickets()
    assert [e.text for e in ticket if isinstance(e, Text)] == ["012"]
    assert [e.payload for e in slip if isinstance(e, Qr)] == [sample_desk_slip().data_qr_payload]


@pytest.mark.parametrize(
    ("fault", "key"),
    [("paper_out", "printer.paper_out"), ("cover_open", "printer.cover_open"), ("silent", "printer.failed")],
)
async def test_a_ticket_that_did_not_print_raises_with_a_message_key(
    fake_printer: FakePrinterServer, fault: str, key: str
) -> None:
    setattr(fake_printer.printer.faults, fault, True)
    printer = EscposTicketPrinter.from_uri(fake_printer.uri, PrinterProfile())
    try:
        with pytest.raises(TicketNotPrinted) as caught:
            await printer.print_ticket(sample_ticket())
    finally:
        printer.close()
    assert caught.value.message_key == key
    assert fake_printer.printer.printed == []


async def test_paper_running_out_mid_ticket_is_reported_as_paper_out(fake_printer: FakePrinterServer) -> None:
    fake_printer.printer.faults.paper_out_after_rasters = 4
    printer = EscposTicketPrinter.from_uri(fake_printer.uri, PrinterProfile(), completion_timeout=0.5)
    try:
        with pytest.raises(TicketNotPrinted) as caught:
            await printer.print_ticket(sample_ticket())
    finally:
        printer.close()
    assert caught.value.reason == "paper_out"
    assert caught.value.message_key == "printer.paper_out"


async def test_a_write_that_times_out_because_paper_ran_out_is_reported_as_paper_out(
    fake_printer: FakePrinterServer,
) -> None:
    # A real printer out of paper stops reading and the job's write times out; the fake cannot fill loopback's
    # buffers, so this transport injects the time-out at the moment the paper runs out.
    uri = parse_printer_uri(fake_printer.uri)

    class StallsOnTheJob:
        def __init__(self) -> None:
            self.inner = open_transport(uri)
            self.can_read = True

        def write(self, data: bytes) -> None:
            if len(data) > 1000:
                fake_printer.printer.faults.paper_out = True
                raise PrinterError("connection_lost", "timed out")
            self.inner.write(data)

        def read(self, count: int, timeout: float) -> bytes:
            return self.inner.read(count, timeout)

        def drain(self) -> int:
            return self.inner.drain()

        def close(self) -> None:
            self.inner.close()

    printer = EscposTicketPrinter(PrinterWorker(StallsOnTheJob), PrinterProfile())
    try:
        with pytest.raises(TicketNotPrinted) as caught:
            await printer.print_ticket(sample_ticket())
    finally:
        printer.close()
    assert caught.value.reason == "paper_out"
    assert fake_printer.connections == 2  # the status after the failure came over a fresh connection
