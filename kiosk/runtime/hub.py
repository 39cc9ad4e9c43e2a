"""The kiosk's line to its hub: the hub run in-process (embedded mode), or a remote hub reached with the kiosk's
enrolled credentials, its HIS port kept working through outages (number leases and the encrypted journal), and the
fleet's own HTTP client when the kiosk is enrolled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from kiosk.backend_client.client import HisClient, Timeouts
from kiosk.backend_client.payments import PaymentClient
from kiosk.flow.ports import HisPort, PaymentPort
from kiosk.offline.lease_client import LeaseClient
from kiosk.offline.resilient_his import ResilientHis
from kiosk.offline.store import OfflineStore
from kiosk.remote_config.enrolment import KioskCredentials, load_credentials
from kiosk.runtime.admission import hub_http
from kiosk.runtime.state import StateDir
from kiosk.settings import KioskSettings

log = logging.getLogger("kiosk.run")


@dataclass(frozen=True)
class FleetLink:
    """An enrolled kiosk's channel to the fleet side of its hub (configuration, heartbeats, actions)."""

    http: httpx.AsyncClient  # the hub's base URL, the kiosk's bearer token
    credentials: KioskCredentials


@dataclass(frozen=True)
class HubLine:
    his: HisPort
    fleet: FleetLink | None  # None: embedded hub, or a token from the settings file (not enrolled)
    # The exam fee by VietQR: on the plain HIS client, never the outage wrapper (a payment needs the hub online;
    # whether the hub takes payments at all, it says itself when asked for a price).
    payments: PaymentPort | None = None


@contextlib.asynccontextmanager
async def hub_line(settings: KioskSettings, state: StateDir) -> AsyncIterator[HubLine]:
    timeouts = Timeouts(default_s=settings.hub.timeout_s)
    if settings.hub.mode == "embedded":
        from kiosk.embedded_hub import embedded_hub  # the hub's code is loaded only by a kiosk that runs it

        with tempfile.TemporaryDirectory(prefix="kiosk-hub-") as data:
            async with embedded_hub(Path(data)) as hub:
                client = HisClient(hub.client, token=hub.token, timeouts=timeouts)
                yield HubLine(client, None, PaymentClient(client))
        return
    async with hub_http(settings.hub) as http:
        token = settings.hub.token.get_secret_value() if settings.hub.token else None
        # Admitted before the screens open (runtime/admission.py): enrolled, accepted, the certificate trusted.
        credentials = None if token else load_credentials(state.credentials)
        token = credentials.token if credentials is not None else token or ""
        client = HisClient(http, token=token, timeouts=timeouts)
        payments = PaymentClient(client)
        async with resilient(client, http, token, state.offline) as his:
            if credentials is None:
                log.info("hub token from the settings file: not enrolled, so no fleet configuration or heartbeats")
                yield HubLine(his, None, payments)
                return
            async with hub_http(settings.hub, token, timeout_s=10) as fleet:
                yield HubLine(his, FleetLink(fleet, credentials), payments)


@contextlib.asynccontextmanager
async def resilient(
    inner: HisPort, http: httpx.AsyncClient, token: str, data_dir: Path, *, every_s: float = 10.0
) -> AsyncIterator[ResilientHis]:
    """`inner` (the HIS client on `http`) kept working through outages; leases and replay run in the background."""
    store = OfflineStore(data_dir)
    his = ResilientHis(inner, store, LeaseClient(http, token=token), status_url=str(http.base_url))
    task = asyncio.create_task(his.run(every_s=every_s, busy_every_s=min(every_s, 2.0)))
    try:
        yield his
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        store.close()
