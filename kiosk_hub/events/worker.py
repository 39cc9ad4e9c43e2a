"""The event feed's background work in each hub process: publish committed events, deliver webhooks, prune old
events. Several hub processes run it at once: the publisher's counter-row lock and the deliveries' claims keep
them from doing the same work twice."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from kiosk_hub.events.publisher import prune, publish, unpublished

if TYPE_CHECKING:
    from kiosk_hub.hub import Hub

log = logging.getLogger("kiosk_hub.events")
PRUNE_EVERY = 3600.0


async def events_round(hub: Hub) -> int:
    """Publish what is committed, then one delivery round; the number delivered."""
    if await asyncio.to_thread(unpublished, hub.reader):
        await asyncio.to_thread(publish, hub.writer, hub.clock())
    if await asyncio.to_thread(hub.courier.due):
        return await hub.courier.deliver_round()
    return 0


async def events_loop(hub: Hub) -> None:
    retention = timedelta(days=hub.settings.events.retention_days)
    next_prune = time.monotonic() + 60
    while True:
        try:
            delivered = await events_round(hub)
            if time.monotonic() >= next_prune:
                next_prune = time.monotonic() + PRUNE_EVERY
                await asyncio.to_thread(prune, hub.writer, hub.clock(), retention)
        except Exception:  # the loop must outlive one bad round; the reason is logged
            log.exception("event round failed")
            delivered = 0
        if not delivered:  # while deliveries flow, the next round starts at once
            await asyncio.sleep(hub.settings.events.poll_seconds)
