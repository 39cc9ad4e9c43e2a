"""What runs beside the screens in `kiosk run`: the chip reader and camera watchers, the headphone jack, systemd's
watchdog, the offline health check and the fleet agent, each an asyncio task (the jack a thread of its own), and
stopping them all when the app ends."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
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
from kiosk.remote_config.schema import RemoteConfig
from kiosk.runtime.fleet import RunningKiosk
from kiosk.runtime.hub import FleetLink
from kiosk.runtime.state import StartingPoint, StateDir
from kiosk.updates.agent import mark_app_ready
from kiosk.updates.lock import LockHolder

log = logging.getLogger("kiosk.run")

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
        # A fleet kiosk takes software updates (`kiosk updates run`): it says when a release is ready, and when a
        # switch must wait. A kiosk on its embedded demo hub has no update agent.
        on_ready = self._ready_for_updates if fleet is not None else None
        self._tasks.append(asyncio.ensure_future(tell_systemd(self._stop, on_ready)))
        if fleet is not None:
            self._tasks.append(asyncio.ensure_future(self._hold_update_lock()))
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

    async def _ready_for_updates(self) -> None:
        """The kiosk's part of a new release's health (the update agent commits it only after this): the home
        screen drawn and the devices probed, written where the agent looks."""
        await self._kiosk.printer_probe(RemoteConfig())
        states = {name: str(state) for name, state in self._kiosk.device_states().items()}
        mark_app_ready(StateDir.from_environment().root / "updates", _app_version(), states)

    async def _hold_update_lock(self) -> None:
        """No switch of release while a patient (or staff) uses the kiosk, a ticket prints, or the offline journal
        still waits to be replayed to the hub."""
        holder = LockHolder(StateDir.from_environment().root / "updates")
        try:
            while not self._stop.is_set():
                journal = self._kiosk.offline.journal_size() if self._kiosk.offline is not None else 0
                holder.follow(self._kiosk.session_active() or journal > 0)
                await asyncio.sleep(0.25)
        finally:
            holder.follow(False)

    async def _watch_reader(self) -> None:
        try:
            await self._bridge.watch()
        finally:
            await self._reader.close()


async def tell_systemd(stop: asyncio.Event, on_ready: Callable[[], Awaitable[None]] | None = None) -> None:
    """READY=1 once the first screen is drawn, then watchdog pings from this loop (a hung UI stops them)."""
    from kivy.clock import Clock

    drawn = asyncio.Event()
    Clock.schedule_once(lambda _dt: drawn.set(), 0)
    await drawn.wait()
    sd_notify.ready()
    if on_ready is not None:
        try:
            await on_ready()
        except OSError as exc:  # a state directory it cannot write: the update agent will roll back, and say why
            log.warning("cannot tell the update agent this release is ready: %s", exc)
    await sd_notify.keep_watchdog(stop)


def _app_version() -> str:
    try:
        return version("vn-hospital-kiosk")
    except PackageNotFoundError:
        return "unknown"


def fleet_runtime(kiosk: RunningKiosk, fleet: FleetLink, start: StartingPoint) -> FleetRuntime:
    """Sync agent, heartbeats and remote actions on this kiosk's real devices and flow, from what it started with
    (a kiosk enrolled just now starts from the defaults: what it had stored, if anything, is checked again)."""
    assert start.store is not None
    app_version = _app_version()
    tally = FunnelTally(lambda: datetime.now(UTC))
    kiosk.service.subscribe(FunnelFeed(tally))
    hooks = kiosk.hooks(fleet.http, tally)
    return FleetRuntime(fleet.http, start.store, fleet.credentials, hooks, app_version, start.stored)
