"""The kiosk's line to its hub: the hub run in-process (embedded mode), or a remote hub reached with the kiosk's
enrolled credentials, its HIS port kept working through outages (number leases and the encrypted journal), and the
fleet's own HTTP client when the kiosk is enrolled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
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
from kiosk.remote_config.enrolment import KioskCredentials, enrol, load_credentials, save_credentials
from kiosk.runtime.state import StateDir
from kiosk.settings import KioskSettings

log = logging.getLogger("kiosk.run")
# The hub closes a keep-alive connection after 5 idle seconds. A kiosk that kept one as long (httpx's default) would
# now and then send its next request into a socket the hub is closing, and get a read error for nothing.
HUB_CONNECTIONS = httpx.Limits(keepalive_expiry=3.0)


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
    async with httpx.AsyncClient(base_url=settings.hub.base_url or "", limits=HUB_CONNECTIONS) as http:
        token = settings.hub.token.get_secret_value() if settings.hub.token else None
        credentials = None if token else await enrolled(http, settings, state)
        token = credentials.token if credentials is not None else token or ""
        client = HisClient(http, token=token, timeouts=timeouts)
        payments = PaymentClient(client)
        async with resilient(client, http, token, state.offline) as his:
            if credentials is None:
                log.info("hub token from the settings file: not enrolled, so no fleet configuration or heartbeats")
                yield HubLine(his, None, payments)
                return
            auth = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(
                base_url=settings.hub.base_url or "", headers=auth, timeout=10, limits=HUB_CONNECTIONS
            ) as fleet:
                yield HubLine(his, FleetLink(fleet, credentials), payments)


async def enrolled(http: httpx.AsyncClient, settings: KioskSettings, state: StateDir) -> KioskCredentials:
    """The credentials saved at enrolment, or enrol now with the one-time code from the environment file."""
    if state.credentials.exists():
        return load_credentials(state.credentials)
    code = os.environ.get("KIOSK_ENROLMENT_CODE", "")
    if not code:
        raise SystemExit("not enrolled: set KIOSK_ENROLMENT_CODE (from the hub console) or hub.token in the settings")
    credentials = await enrol(http, code, settings.kiosk_name)
    save_credentials(state.credentials, credentials)
    return credentials


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
