"""For the composition root: the kiosk's HIS port wrapped for outages, with its background round running."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from kiosk.flow.ports import HisPort
from kiosk.offline.lease_client import LeaseClient
from kiosk.offline.resilient_his import ResilientHis
from kiosk.offline.store import OfflineStore


def offline_dir() -> Path:
    return Path(os.environ.get("KIOSK_STATE_DIR", "/var/lib/vn-hospital-kiosk")) / "offline"


@contextlib.asynccontextmanager
async def resilient(
    inner: HisPort, http: httpx.AsyncClient, token: str, *, data_dir: Path | None = None, every_s: float = 10.0
) -> AsyncIterator[ResilientHis]:
    """`inner` (the HIS client on `http`) kept working through outages; leases and replay run in the background."""
    store = OfflineStore(data_dir or offline_dir())
    his = ResilientHis(inner, store, LeaseClient(http, token=token), status_url=str(http.base_url))
    task = asyncio.create_task(his.run(every_s=every_s, busy_every_s=min(every_s, 2.0)))
    try:
        yield his
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        store.close()
