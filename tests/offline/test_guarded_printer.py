"""The printer's breaker around the flow's fake printer (fault injection) and the real ESC/POS printer over TCP: fail
fast with the last reason, probe, close; `check()` guarded too, so the flow's check-in prints through it."""

from __future__ import annotations

import pytest

from kiosk.flow.fakes import FakePrinter
from kiosk.flow.ports import PortError
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.hardware.printer.blocks import PaperWidth, PrinterProfile
from kiosk.hardware.printer.sample import sample_ticket
from kiosk.hardware.printer.ticket_printer import EscposTicketPrinter
from kiosk.offline.breaker import BreakerState, CircuitBreaker
from kiosk.offline.guarded_printer import GuardedPrinter
from tests.flow.driver import CONFIG
from tests.flow.test_service import check_in, his_with_patient
from tests.support.escpos_fake import FakePrinterServer


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def state_of(printer: GuardedPrinter) -> BreakerState:
    return printer.breaker.state  # read through a call: mypy would narrow the property after the first assert


async def test_a_printer_out_of_paper_fails_fast_until_the_probe_prints() -> None:
    clock = Clock()
    fake = FakePrinter(paper_out=True)
    printer = GuardedPrinter(fake, CircuitBreaker("printer", open_for_s=15, clock=clock))
    ticket = sample_ticket()
    with pytest.raises(PortError, match=r"printer\.paper_out"):
        await printer.print_ticket(ticket)
    assert printer.breaker.state is BreakerState.OPEN
    fake.paper_out = False
    with pytest.raises(PortError, match=r"printer\.paper_out"):  # not tried: the last reason, at once
        await printer.print_ticket(ticket)
    assert fake.tickets == []
    clock.now += 15
    await printer.print_ticket(ticket)  # the probe
    assert fake.tickets == [ticket]
    assert state_of(printer) is BreakerState.CLOSED


async def test_the_check_is_guarded_too_a_printer_out_of_paper_is_not_asked_again_until_the_probe() -> None:
    clock = Clock()
    fake = FakePrinter(paper_out=True)
    printer = GuardedPrinter(fake, CircuitBreaker("printer", open_for_s=15, clock=clock))
    first = await printer.check()
    assert (first.printable, first.state, fake.checks) == (False, "paper_out", 1)
    again = await printer.check()  # breaker open: answered at once with the last state, the printer not asked
    assert (again.printable, again.state, fake.checks) == (False, "paper_out", 1)
    with pytest.raises(PortError, match=r"printer\.paper_out"):
        await printer.print_ticket(sample_ticket())
    fake.paper_out = False
    clock.now += 15
    probe = await printer.check()
    assert (probe.printable, fake.checks) == (True, 2)
    assert printer.breaker.state is BreakerState.CLOSED


async def test_a_check_that_raises_opens_the_breaker_and_is_reraised() -> None:
    fake = FakePrinter(silent=True)
    printer = GuardedPrinter(fake)
    with pytest.raises(PortError, match=r"printer\.failed"):
        await printer.check()
    assert printer.breaker.state is BreakerState.OPEN
    assert (await printer.check()).printable is False
    assert fake.checks == 1


async def test_a_check_in_through_the_guarded_printer_prints_the_ticket() -> None:
    # Without `check()` on the wrapper, every check-in would stop at "printer not ready".
    his, fake = his_with_patient(), FakePrinter()
    service = FlowService(CONFIG, his, GuardedPrinter(fake))
    await check_in(service)
    assert service.session.step == Step.DONE
    assert [t.queue_number for t in fake.tickets] == [1]
    assert service.printer_ok


async def test_a_check_in_with_the_paper_out_reaches_printer_not_ready_without_taking_a_number() -> None:
    his, fake = his_with_patient(), FakePrinter(paper_out=True)
    service = FlowService(CONFIG, his, GuardedPrinter(fake))
    await check_in(service)
    assert (service.session.step, service.session.notice_key) == (Step.PRINTER_NOT_READY, "printer.paper_out")
    assert his.tickets == {}


async def test_the_guarded_escpos_printer_over_tcp_checks_prints_and_opens_on_paper_out() -> None:
    server = FakePrinterServer().start()
    real = EscposTicketPrinter.from_uri(server.uri, PrinterProfile(paper=PaperWidth.MM58))
    try:
        printer = GuardedPrinter(real)
        assert (await printer.check()).printable
        await printer.print_ticket(sample_ticket())
        assert len(server.printer.tickets()) == 1
        server.printer.faults.paper_out = True
        status = await printer.check()
        assert (status.printable, str(status.state)) == (False, "paper_out")
        assert printer.breaker.state is BreakerState.OPEN
        with pytest.raises(PortError, match=r"printer\.paper_out"):
            await printer.print_ticket(sample_ticket())
        assert len(server.printer.tickets()) == 1
    finally:
        real.close()
        server.stop()


def test_closing_the_guarded_printer_closes_the_printer_inside() -> None:
    class Closable(FakePrinter):
        closed = False

        def close(self) -> None:
            self.closed = True

    inner = Closable()
    GuardedPrinter(inner).close()  # the fleet's printer swap and `kiosk run`'s exit close the printer they hold
    assert inner.closed
    GuardedPrinter(FakePrinter()).close()  # a printer with nothing to close
