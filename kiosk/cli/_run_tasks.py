"""What runs beside the screens in `kiosk run`: the chip reader and camera watchers, systemd's watchdog, the offline
health check and the fleet agent, each an asyncio task, and stopping them all when the app ends."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.remote_config.kiosk_fleet import RunningKiosk


def start_background(
    kiosk: RunningKiosk, reader: Any, bridge: Any, scanner: Any, stop: asyncio.Event, fleet: Any, store: Any
) -> list[asyncio.Future[Any]]:
    """Devices, systemd's watchdog, the offline health and the fleet, each a task beside the app's loop."""
    service = kiosk.service
    tasks: list[asyncio.Future[Any]] = [asyncio.ensure_future(watch_reader(reader, bridge))]
    if scanner is not None:
        # The camera runs only while the identify screen asks for a scan; QR codes go through the chip bridge
        # (a CCCD QR may open the card on the reader).
        from kiosk.flow.scan_gate import ScanGate

        gate = ScanGate(scanner, bridge.qr_scanned)
        service.subscribe(gate.follow)
        tasks.append(asyncio.ensure_future(gate.run()))
    tasks.append(asyncio.ensure_future(tell_systemd(stop)))
    tasks.append(asyncio.ensure_future(kiosk.offline.watch(service)))
    if fleet is not None:
        tasks.append(asyncio.ensure_future(fleet_runtime(kiosk, fleet, store).run(stop)))
    return tasks


async def shut_down(stop: asyncio.Event, tasks: list[asyncio.Future[Any]], printer: Any) -> None:
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    close = getattr(printer.current, "close", None)
    if close is not None:
        close()


async def watch_reader(reader: Any, bridge: Any) -> None:
    try:
        await bridge.watch()
    finally:
        await reader.close()


async def tell_systemd(stop: asyncio.Event) -> None:
    """READY=1 once the first screen is drawn, then watchdog pings from this loop (a hung UI stops them)."""
    from kivy.clock import Clock

    from kiosk.remote_config import sd_notify

    drawn = asyncio.Event()
    Clock.schedule_once(lambda _dt: drawn.set(), 0)
    await drawn.wait()
    sd_notify.ready()
    await sd_notify.keep_watchdog(stop)


def fleet_runtime(kiosk: RunningKiosk, fleet: Any, store: Any) -> Any:
    """Sync agent, heartbeats and remote actions on this kiosk's real devices and flow."""
    from datetime import UTC, datetime
    from importlib.metadata import PackageNotFoundError, version

    from kiosk.remote_config.funnel import FunnelTally
    from kiosk.remote_config.funnel_feed import FunnelFeed
    from kiosk.remote_config.runtime import FleetRuntime

    http, credentials = fleet
    try:
        app_version = version("vn-hospital-kiosk")
    except PackageNotFoundError:
        app_version = "unknown"
    tally = FunnelTally(lambda: datetime.now(UTC))
    kiosk.service.subscribe(FunnelFeed(tally))
    return FleetRuntime(http, store, credentials, kiosk.hooks(http, tally), app_version)
