"""The printer port behind its circuit breaker: a printer known to be down fails at once (the flow then shows the
ticket on screen with its QR) instead of making each patient wait out the printer's timeout.

The whole port is guarded, `check()` included: the flow asks it before every ticket, so a printer that answered
"paper out" is not asked again for each patient until the breaker's probe time; the check that probes goes through
to the printer and closes the breaker when the printer says it can print.
"""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from kiosk.domain.printer_state import PRINTER_FAILED, PrinterState, message_key
from kiosk.domain.ticket import DeskSlip, QueueTicket
from kiosk.flow.ports import PortError, PrinterPort, PrinterStatus
from kiosk.offline.breaker import CircuitBreaker


@dataclass(frozen=True, slots=True)
class KnownDown:
    """The answer to `check()` while the breaker is open: the state the printer gave last, not printable."""

    state: str
    printable: bool = False


class GuardedPrinter:
    def __init__(self, inner: PrinterPort, breaker: CircuitBreaker | None = None) -> None:
        self._inner = inner
        self.breaker = breaker or CircuitBreaker("printer", open_for_s=15.0)
        self._last_key = PRINTER_FAILED
        self._last_state: str = PrinterState.ERROR

    async def check(self) -> PrinterStatus:
        if not self.breaker.allow():
            return KnownDown(self._last_state)  # not asked: the printer said so a moment ago
        try:
            status = await self._inner.check()
        except Exception as exc:
            self._down(getattr(exc, "message_key", PRINTER_FAILED), PrinterState.NO_RESPONSE)
            raise
        if status.printable:
            self.breaker.succeeded()
        else:
            state = str(status.state)
            self._down(message_key(state), state)
        return status

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
            key = getattr(exc, "message_key", PRINTER_FAILED)
            paper_out = key == message_key(PrinterState.PAPER_OUT)
            self._down(key, PrinterState.PAPER_OUT if paper_out else PrinterState.ERROR)
            raise
        self.breaker.succeeded()

    def close(self) -> None:
        """Close the printer inside (the fleet's printer swap and `kiosk run`'s exit call `close` if there is one)."""
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()

    def _down(self, key: str, state: str) -> None:
        self._last_key, self._last_state = key, state
        self.breaker.failed()
