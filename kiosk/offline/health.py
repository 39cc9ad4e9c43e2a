"""The outage wrapper's health for the screens' banner and the fleet heartbeat.

The flow sets `FlowService.hub_ok` from each hub call's outcome, but `ResilientHis` answers every call (offline
when it must), so the flow alone would never see the hub gone. `OfflineHealth` reads the breakers instead:
`follow(service)` and `watch(service)` keep `service.hub_ok` (and `printer_ok` while the printer's breaker is
open) true to them, after every session change and every second, and `device_states()` gives the heartbeat's
`hub` and `printer` entries.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from kiosk.flow.service import FlowService
from kiosk.flow.state import Session
from kiosk.offline.breaker import BreakerState
from kiosk.offline.guarded_printer import GuardedPrinter
from kiosk.offline.resilient_his import ResilientHis
from kiosk.remote_config.schema import DeviceState


class PrinterInUse(Protocol):
    """The printer port the kiosk uses now, which the fleet may swap (`remote_config.live.LivePrinter`)."""

    @property
    def current(self) -> object: ...


class OfflineHealth:
    def __init__(self, his: object, printer: PrinterInUse | None = None) -> None:
        """`his`: the kiosk's HIS port (only a `ResilientHis` has a hub breaker; the embedded hub cannot be cut
        off). `printer`: the printer in use, read afresh each time (only a `GuardedPrinter` has a breaker)."""
        self._his = his if isinstance(his, ResilientHis) else None
        self._printer = printer

    def hub_state(self) -> BreakerState:
        return self._his.breaker.state if self._his is not None else BreakerState.CLOSED

    def journal_size(self) -> int:
        """Provisional tickets the hub has not confirmed yet (the banner may say "n waiting for the hub")."""
        if self._his is None:
            return 0
        size = self._his.health()["journal"]
        return size if isinstance(size, int) else 0

    def hub_ok(self) -> bool:
        """False while the hub's breaker is not closed: the kiosk issues provisional tickets (banner on)."""
        return self.hub_state() is BreakerState.CLOSED

    def printer_state(self) -> BreakerState | None:
        current = self._printer.current if self._printer is not None else None
        return current.breaker.state if isinstance(current, GuardedPrinter) else None

    def device_states(self) -> dict[str, DeviceState]:
        """The heartbeat's `hub` and `printer` entries (laid over the ones the flow's last calls gave)."""
        states: dict[str, DeviceState] = {}
        if self._his is not None:
            # Degraded, not fault: tickets keep coming from the lease; a journal still draining is degraded too.
            draining = self.journal_size() > 0
            states["hub"] = DeviceState.OK if self.hub_ok() and not draining else DeviceState.DEGRADED
        printer = self.printer_state()
        if printer is not None:
            states["printer"] = DeviceState.OK if printer is BreakerState.CLOSED else DeviceState.FAULT
        return states

    def apply(self, service: FlowService) -> None:
        """Make the service's status flags agree with the breakers (the banner and the status strip read them)."""
        if self._his is not None:
            service.hub_ok = self.hub_ok()
        if self.printer_state() in (BreakerState.OPEN, BreakerState.HALF_OPEN):
            service.printer_ok = False

    def follow(self, service: FlowService) -> Callable[[Session], Any]:
        """Subscribe to the service so the flags are corrected after every session change. Subscribe BEFORE the
        app's own listener (before the app is built), so the screens read the corrected flags."""

        def listener(_session: Session) -> None:
            self.apply(service)

        service.subscribe(listener)
        self.apply(service)
        return listener

    async def watch(self, service: FlowService, every_s: float = 1.0) -> None:
        """A task on the kiosk's loop: the breakers change with no patient at the kiosk (the background round), and
        the app's one-second status tick reads the flags; this keeps them current in between."""
        while True:
            self.apply(service)
            await asyncio.sleep(every_s)
