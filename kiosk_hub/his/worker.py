"""The HIS integration's background work in each hub process: the visit dispatcher's rounds, sending the BHYT
check-ins they lead to (when on), and the scheduled department sync. Started by the app's lifespan."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from kiosk_hub.his.port import HisError

if TYPE_CHECKING:
    from kiosk_hub.hub import Hub

log = logging.getLogger("kiosk_hub.his")


async def announce_adapter(hub: Hub) -> None:
    """Say which adapter runs, and whether its HIS answers (the hub serves either way: visits queue)."""
    name = hub.settings.his.adapter
    where = f" at {hub.settings.his.base_url}" if hub.settings.his.base_url else ""
    try:
        about = await asyncio.wait_for(asyncio.to_thread(hub.his.about), hub.settings.his.timeout_seconds + 1)
    except (HisError, TimeoutError) as exc:
        log.warning("HIS adapter %r%s: the HIS does not answer yet (%s); visits queue", name, where, type(exc).__name__)
        return
    log.info(
        "HIS adapter %r%s: %s %s %s, contract %s",
        name,
        where,
        about.vendor,
        about.product,
        about.version,
        about.contract_version,
    )


async def his_loop(hub: Hub) -> None:
    """Visits to open (every poll, when any is due) and the department sync (every `sync_minutes`)."""
    from kiosk_hub.his.sync import sync_departments

    settings = hub.settings.his
    next_sync = time.monotonic() + 5.0 if settings.sync_minutes > 0 else float("inf")
    while True:
        try:
            if await asyncio.to_thread(hub.visits.due):
                await asyncio.to_thread(hub.visits.run_round)
            if hub.checkins is not None:
                await hub.checkins.send_pending(hub.bhxh)
            if time.monotonic() >= next_sync:
                next_sync = time.monotonic() + 60 * settings.sync_minutes
                await asyncio.to_thread(sync_departments, hub)
        except HisError as exc:
            log.warning("HIS round: %s", type(exc).__name__)
        except Exception:  # the loop must outlive one bad round; the reason is logged
            log.exception("HIS round failed")
        await asyncio.sleep(settings.poll_seconds)
