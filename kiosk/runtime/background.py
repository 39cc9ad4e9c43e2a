"""What runs beside the screens in `kiosk run`: the chip reader and camera watchers, the headphone jack, systemd's
watchdog, the offline health check and the fleet agent, each an asyncio task (the jack a thread of its own), and
stopping them all when the app ends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from kiosk.flow.chip_bridge import ChipBridge
from kiosk.flow.scan_gate import ScanGate
from kiosk.hardware.chip.port import ChipReaderPort
from kiosk.remote_config import sd_notify
from kiosk.remote_config.fleet_runtime import FleetRuntime
from kiosk.remote_config.funnel import FunnelTally
from kiosk.remote_config.funnel_feed import FunnelFeed
from kiosk.runtime.fleet import RunningKiosk
from kiosk.runtime.hub import FleetLink
from kiosk.runtime.state import StartingPoint

if TYPE_CHECKING:
    from kiosk.hardware.camera.scanner import CameraScanner
    from kiosk.speech.jack_adapter import HeadphoneJackWatcher


class Background:
    """The tasks beside the app's loop, started in `start` and stopped, all of them, in `stop`."""

    def __init__(self, kiosk: RunningKiosk, reader: ChipReaderPort, bridge: ChipBridge) -> None:
        self._kiosk, self._reader, self._bridge = kiosk, reader, bridge
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Future[Any]] = []
        self._jack: HeadphoneJackWatcher | None = None

    def start(
        self, scanner: CameraScanner | None, jack: HeadphoneJackWatcher | None, fleet: FleetLink | None,
        start: StartingPoint,
    ) -> None:  # fmt: skip
        service = self._kiosk.service
        self._tasks.append(asyncio.ensure_future(self._watch_reader()))
        if scanner is not None:
            # The camera runs only while the identify screen asks for a scan; QR codes go through the chip bridge
            # (a CCCD QR may open the card on the reader).
            gate = ScanGate(scanner, self._bridge.qr_scanned)
            service.subscribe(gate.follow)
            self._tasks.append(asyncio.ensure_future(gate.run()))
        if jack is not None:
            self._jack = jack
            jack.start()
        self._tasks.append(asyncio.ensure_future(tell_systemd(self._stop)))
        if self._kiosk.offline is not None:
            self._tasks.append(asyncio.ensure_future(self._kiosk.offline.watch(service)))
        if fleet is not None and start.store is not None:
            self._tasks.append(asyncio.ensure_future(fleet_runtime(self._kiosk, fleet, start).run(self._stop)))

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._jack is not None:
            self._jack.stop()
        close = getattr(self._kiosk.printer.current, "close", None)
        if close is not None:
            close()

    async def _watch_reader(self) -> None:
        try:
            await self._bridge.watch()
        finally:
            await self._reader.close()


async def tell_systemd(stop: asyncio.Event) -> None:
    """READY=1 once the first screen is drawn, then watchdog pings from this loop (a hung UI stops them)."""
    from kivy.clock import Clock

    drawn = asyncio.Event()
    Clock.schedule_once(lambda _dt: drawn.set(), 0)
    await drawn.wait()
    sd_notify.ready()
    await sd_notify.keep_watchdog(stop)


def fleet_runtime(kiosk: RunningKiosk, fleet: FleetLink, start: StartingPoint) -> FleetRuntime:
    """Sync agent, heartbeats and remote actions on this kiosk's real devices and flow, from what it started with
    (a kiosk enrolled just now starts from the defaults: what it had stored, if anything, is checked again)."""
    assert start.store is not None
    try:
        app_version = version("vn-hospital-kiosk")
    except PackageNotFoundError:
        app_version = "unknown"
    tally = FunnelTally(lambda: datetime.now(UTC))
    kiosk.service.subscribe(FunnelFeed(tally))
    hooks = kiosk.hooks(fleet.http, tally)
    return FleetRuntime(fleet.http, start.store, fleet.credentials, hooks, app_version, start.stored)
