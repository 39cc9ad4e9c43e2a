"""The printer port behind its circuit breaker: a printer known to be down fails at once (the flow then shows the
ticket on screen with its QR) instead of making each patient wait out the printer's timeout."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from kiosk.domain.ticket import DeskSlip, QueueTicket
from kiosk.flow.ports import PortError, PrinterPort
from kiosk.offline.breaker import CircuitBreaker


class GuardedPrinter:
    def __init__(self, inner: PrinterPort, breaker: CircuitBreaker | None = None) -> None:
        self._inner = inner
        self.breaker = breaker or CircuitBreaker("printer", open_for_s=15.0)
        self._last_key = "printer.failed"

    async def print_ticket(self, ticket: QueueTicket) -> None:
        await self._guarded(self._inner.print_ticket(ticket))

    async def print_desk_slip(self, slip: DeskSlip) -> None:
        await self._guarded(self._inner.print_desk_slip(slip))

    async def _guarded(self, job: Coroutine[Any, Any, None]) -> None:
        if not self.breaker.allow():
            job.close()  # the coroutine is never awaited: no half-sent job
            raise PortError(self._last_key)  # the reason it failed last (paper out, cover open, ...)
        try:
            await job
        except Exception as exc:
            self._last_key = getattr(exc, "message_key", "printer.failed")
            self.breaker.failed()
            raise
        self.breaker.succeeded()
