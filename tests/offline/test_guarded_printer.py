"""The printer's breaker around the flow's fake printer (fault injection): fail fast with the last reason, probe,
close."""

from __future__ import annotations

import pytest

from kiosk.flow.fakes import FakePrinter
from kiosk.flow.ports import PortError
from kiosk.hardware.printer.sample import sample_ticket
from kiosk.offline.breaker import BreakerState, CircuitBreaker
from kiosk.offline.guarded_printer import GuardedPrinter


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


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
    assert printer.breaker.state is BreakerState.CLOSED
