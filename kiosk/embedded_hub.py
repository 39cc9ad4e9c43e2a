"""The hub run inside the kiosk process, for the one-command demo and for tests.

The kiosk's HIS client talks to it over `httpx.ASGITransport`: the same client code and the same HTTP requests as
against a hub on the network, with no port opened. Its BHXH gateway is the hub's loopback simulator, also
in-process. The store is a SQLite file in a directory the caller owns (a temporary one for the demo).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import select

from kiosk_hub.app import create_app
from kiosk_hub.bhxh.client import password_md5
from kiosk_hub.bhxh.simulator import SimulatedGateway, create_simulator
from kiosk_hub.db.engine import utc_now
from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet.enrolment import add_kiosk
from kiosk_hub.his.demo_seed import seed_demo_hospital
from kiosk_hub.hub import Hub, build_hub, system_clock
from kiosk_hub.kiosk_tokens import hash_token, new_token
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import AccessSettings, BhxhSettings, HubSettings, PaymentSettings

BASE_URL = "http://hub.embedded"
EMBEDDED_KIOSK = "embedded"  # the name of the in-process kiosk's record in the hub
# The simulator's facility account and lookup officer (made up; the simulator checks them like the real gateway).
_USER, _PASSWORD = "01043_BV", "demo-password"
_OFFICER = ("Nguyễn Thị Tra Cứu", "001190000001")


@dataclass
class EmbeddedHub:
    hub: Hub
    gateway: SimulatedGateway
    client: httpx.AsyncClient  # for the kiosk's HisClient: base URL and transport set
    token: str


@contextlib.asynccontextmanager
async def embedded_hub(
    data_dir: Path,
    clock: Callable[[], datetime] = system_clock,
    *,
    gateway_timeout_s: float = 2.0,
    payments: PaymentSettings | None = None,
) -> AsyncIterator[EmbeddedHub]:
    """`payments`: the payment gateway to confirm transfers with (off by default: the cashier takes the fee)."""
    url = f"sqlite:///{data_dir / 'hub.sqlite3'}"
    logging.getLogger("alembic").setLevel(logging.WARNING)
    upgrade(url)
    gateway = SimulatedGateway(
        username=_USER,
        password_md5=password_md5(_PASSWORD, uppercase=False),
        officer_name=_OFFICER[0],
        officer_id_number=_OFFICER[1],
    )
    bhxh = BhxhSettings(
        base_url="http://bhxh.embedded",
        username=_USER,
        password=_PASSWORD,  # type: ignore[arg-type]
        officer_name=_OFFICER[0],
        officer_id_number=_OFFICER[1],  # type: ignore[arg-type]
        timeout_seconds=gateway_timeout_s,
    )
    # One kiosk inside the hub's own process: the lookup allowance guards a hub on the network against a stolen
    # token, and here it would only stop a soak run that serves a patient every fraction of a second.
    unlimited = AccessSettings(lookup_burst=1_000_000, lookup_refill_seconds=0.001)
    settings = HubSettings(
        database_url=url,
        bhxh=bhxh,
        public_base_url=BASE_URL,
        access=unlimited,
        payments=payments or PaymentSettings(),
    )
    gateway_transport = httpx.ASGITransport(app=create_simulator(gateway))
    async with httpx.AsyncClient(transport=gateway_transport, base_url=bhxh.base_url) as bhxh_http:
        hub = build_hub(settings, clock=clock, http=bhxh_http)
        _seed(hub)
        token = _enrol(hub)
        app = create_app(hub, background=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            try:
                yield EmbeddedHub(hub=hub, gateway=gateway, client=client, token=token)
            finally:
                hub.engine.dispose()


def _seed(hub: Hub) -> None:
    with hub.writer() as session:
        seed_demo_hospital(session, hub.clock())
        session.commit()


def _enrol(hub: Hub) -> str:
    """The in-process kiosk's token: its record is made on the first start and re-issued a fresh token on every
    later one (a data directory may outlive the process; only a hash is stored, so the old token cannot be reused
    and is retired)."""
    with hub.writer() as session:
        kiosk = session.scalars(select(Kiosk).where(Kiosk.name == EMBEDDED_KIOSK)).first()
        if kiosk is None:
            _, token = add_kiosk(session, EMBEDDED_KIOSK, utc_now())
        else:
            token = new_token()
            kiosk.token_hash, kiosk.revoked = hash_token(token), False
        session.commit()
    return token
