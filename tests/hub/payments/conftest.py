"""A hub that takes payments: its payment gateway is the loopback payOS (uvicorn in a thread, real HTTP), the hub is
served on loopback too (the gateway's callbacks come over HTTP), and the fee of NOI is on the console's price list.
Background rounds are off: tests run the poller's rounds themselves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from kiosk.domain.ticket import VisitType
from kiosk_hub.app import create_app
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.payments.fees import set_price
from kiosk_hub.payments.payos_peer import PayOsPeer, create_payos_peer
from kiosk_hub.settings import HubSettings, PaymentSettings
from tests.hub.conftest import FakeClock, enrol, seed
from tests.hub.servers import serve_in_thread
from tests.support.keys import key_file_for

T = TypeVar("T")
CLIENT_ID, API_KEY, CHECKSUM_KEY = "hub-test-client", "hub-test-api-key", "hub-test-checksum-key"
BANK_BIN, ACCOUNT, ACCOUNT_NAME = "970422", "0123456789", "BENH VIEN DA KHOA DEMO"
FEE_VND = 150_000
CALLBACK_PATH = "/api/v1/payments/callback/payos"


def payment_settings(peer_url: str, **changes: object) -> PaymentSettings:
    given = {
        "provider": "payos",
        "base_url": peer_url,
        "client_id": CLIENT_ID,
        "api_key": API_KEY,
        "checksum_key": CHECKSUM_KEY,
        "bank_bin": BANK_BIN,
        "account_number": ACCOUNT,
        "account_name": ACCOUNT_NAME,
    }
    return PaymentSettings.model_validate({**given, **changes})


def price_noi(hub: Hub, amount: int = FEE_VND) -> None:
    with hub.writer() as session:
        set_price(session, "NOI", VisitType.FEE, amount, ("02.1896", "Khám Nội"), "test", hub.clock())
        session.commit()


@pytest.fixture
def peer() -> PayOsPeer:
    return PayOsPeer(CLIENT_ID, API_KEY, CHECKSUM_KEY, BANK_BIN, ACCOUNT, ACCOUNT_NAME)


@pytest.fixture
def peer_url(peer: PayOsPeer) -> Iterator[str]:
    with serve_in_thread(create_payos_peer(peer)) as url:
        yield url


class LoopRecorder:
    """The served app, noting the server's event loop: the hub's gateway connections live on it, so a test runs the
    hub's background round there, as the app's own background task would."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.loop = asyncio.get_running_loop()
        await self.app(scope, receive, send)

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        assert self.loop is not None
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self.loop))


@dataclass
class PayingHub:
    hub: Hub
    client: httpx.AsyncClient  # the enrolled kiosk's, to the hub over loopback HTTP
    peer: PayOsPeer
    clock: FakeClock
    url: str
    token: str
    server: LoopRecorder

    async def poll_round(self) -> None:
        await self.server.run(self.hub.payments.poll_round())

    async def open(self, key: str = "pay-1", patient: str = "p-1", department: str = "NOI") -> dict[str, object]:
        body = {"department_id": department, "patient_id": patient}
        answer = await self.client.post("/api/v1/payments", json=body, headers={"Idempotency-Key": key})
        assert answer.status_code in (200, 201), answer.text
        payment: dict[str, object] = answer.json()
        return payment

    async def read(self, payment_id: object) -> dict[str, object]:
        answer = await self.client.get(f"/api/v1/payments/{payment_id}")
        assert answer.status_code == 200, answer.text
        payment: dict[str, object] = answer.json()
        return payment

    def order_code(self, payment: dict[str, object]) -> int:
        return int(str(payment["reference"]).removeprefix("KB"))


async def paying_hub(
    database_url: str, clock: FakeClock, peer: PayOsPeer, peer_url: str, token: str | None = None, **changes: object
) -> AsyncIterator[PayingHub]:
    """A paying hub over this store; `token`: the kiosk enrolled by an earlier hub on it (a restart)."""
    settings = HubSettings(
        database_url=database_url,
        key_file=key_file_for(database_url),
        public_base_url="http://hub.test",
        payments=payment_settings(peer_url, **changes),
    )
    hub = build_hub(settings, clock=clock)
    seed(hub)
    token = token or enrol(hub)
    price_noi(hub)
    try:
        # With its lifespan: the gateway's connections, made on the server's loop, are closed on it.
        server = LoopRecorder(create_app(hub, background=False))
        with serve_in_thread(server, lifespan="on") as url:
            peer.webhook_url = url + CALLBACK_PATH
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
                yield PayingHub(hub, client, peer, clock, url, token, server)
    finally:
        hub.engine.dispose()


@pytest.fixture
async def paying(sqlite_url: str, clock: FakeClock, peer: PayOsPeer, peer_url: str) -> AsyncIterator[PayingHub]:
    async for built in paying_hub(sqlite_url, clock, peer, peer_url):
        yield built
