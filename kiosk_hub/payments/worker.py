"""The payments' background round in each hub process (the fallback for callbacks that cannot reach the hub, expiry,
tickets after a restart, the silent-feed alerts). Started by the app's lifespan when a gateway is set."""

from __future__ import annotations

import asyncio
import logging

from kiosk_hub.payments.desk import PaymentDesk

log = logging.getLogger("kiosk_hub.payments")
ROUND_SECONDS = 1.0  # the round looks for due work this often; each payment is polled at its own interval


async def payments_loop(desk: PaymentDesk) -> None:
    while True:
        try:
            await desk.poll_round()
        except Exception:  # the loop must outlive one bad round; the reason is logged
            log.exception("payment round failed")
        await asyncio.sleep(ROUND_SECONDS)
