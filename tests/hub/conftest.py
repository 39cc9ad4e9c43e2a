"""Hub fixtures: a migrated SQLite file per test, a settable clock, an enrolled kiosk, the app over ASGI; a hub whose
HIS is the reference HIS over loopback HTTP (the `rest` adapter), its visit rounds run by the tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from kiosk_hub.access.integrations import create_credential
from kiosk_hub.access.roles import Scope
from kiosk_hub.app import create_app
from kiosk_hub.bhxh.client import password_md5
from kiosk_hub.bhxh.simulator import SimulatedGateway, create_simulator
from kiosk_hub.db.engine import utc_now
from kiosk_hub.fleet.enrolment import add_kiosk
from kiosk_hub.his.demo_seed import seed_demo_hospital
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import BhxhSettings, HisSettings, HubSettings
from tests.hub.servers import serve_in_thread
from tests.support.keys import key_file_for
from tests.support.postgres import PostgresServer, available, running_postgres
from tests.support.reference_his import TOKEN, ReferenceHis, create_reference_his

OFFICER = ("Nguyễn Thị Tra Cứu", "001190000001")
FACILITY_USER, FACILITY_PASSWORD = "01043_BV", "mật-khẩu-demo"


class FakeClock:
    """The hub's clock, moved by tests (day rollover, check-in windows)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # 09:00 in Hà Nội, a Monday


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def gateway() -> SimulatedGateway:
    return SimulatedGateway(
        username=FACILITY_USER,
        password_md5=password_md5(FACILITY_PASSWORD, uppercase=False),
        officer_name=OFFICER[0],
        officer_id_number=OFFICER[1],
    )


@pytest.fixture
def gateway_url(gateway: SimulatedGateway) -> Iterator[str]:
    with serve_in_thread(create_simulator(gateway)) as url:
        yield url


def bhxh_settings(url: str, timeout: float = 2.0) -> BhxhSettings:
    return BhxhSettings(
        base_url=url,
        username=FACILITY_USER,
        password=FACILITY_PASSWORD,  # type: ignore[arg-type]
        officer_name=OFFICER[0],
        officer_id_number=OFFICER[1],  # type: ignore[arg-type]
        timeout_seconds=timeout,
    )


def enrol(hub: Hub, name: str = "kiosk-1") -> str:
    """A fleet kiosk's token, made as an enrolment code's redemption makes it (without the code)."""
    with hub.writer() as session:
        _, token = add_kiosk(session, name, utc_now())
        session.commit()
    return token


def seed(hub: Hub) -> None:
    with hub.writer() as session:
        seed_demo_hospital(session, hub.clock())
        session.commit()


def add_integration(hub: Hub, name: str = "his", scopes: frozenset[Scope] = frozenset({Scope.CALLING})) -> str:
    """An integration credential (the HIS); returns its bearer token."""
    with hub.writer() as session:
        _id, token = create_credential(session, name, set(scopes), "test", hub.clock())
        session.commit()
    return token


def prepared_database(database_url: str) -> str:
    """Migrate, seed the demo hospital and enrol a kiosk in a store a hub process will serve; its token."""
    upgrade(database_url)
    hub = build_hub(HubSettings(database_url=database_url, key_file=key_file_for(database_url)))
    seed(hub)
    token = enrol(hub)
    hub.engine.dispose()
    return token


@dataclass
class HubUnderTest:
    hub: Hub
    client: httpx.AsyncClient
    token: str
    his_token: str = ""  # an integration credential with the calling scope

    @property
    def as_his(self) -> dict[str, str]:
        """Headers that make a request the HIS's instead of the kiosk's."""
        return {"Authorization": f"Bearer {self.his_token}"}


@pytest.fixture
async def hub_api(sqlite_url: str, clock: FakeClock, gateway_url: str) -> AsyncIterator[HubUnderTest]:
    settings = HubSettings(database_url=sqlite_url, bhxh=bhxh_settings(gateway_url), public_base_url="http://hub.test")
    async with httpx.AsyncClient() as bhxh_http:
        hub = build_hub(settings, clock=clock, http=bhxh_http)
        seed(hub)
        token = enrol(hub)
        his_token = add_integration(hub)
        app = create_app(hub, background=False)
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test", headers=headers) as client:
            yield HubUnderTest(hub, client, token, his_token)
        hub.engine.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if not available():
        pytest.skip("Debian's PostgreSQL 15 binaries are not installed")
    with running_postgres() as server:
        yield server


@dataclass
class HisHub:
    hub: Hub
    client: httpx.AsyncClient
    his: ReferenceHis
    clock: FakeClock


@pytest.fixture
def reference_his() -> Iterator[tuple[ReferenceHis, str]]:
    his = ReferenceHis()
    with serve_in_thread(create_reference_his(his)) as url:
        yield his, url


@contextlib.asynccontextmanager
async def open_his_hub(
    sqlite_url: str, clock: FakeClock, gateway_url: str, his: ReferenceHis, url: str, **his_settings: object
) -> AsyncIterator[HisHub]:
    settings = HubSettings(
        database_url=sqlite_url,
        bhxh=bhxh_settings(gateway_url),
        public_base_url="http://hub.test",
        his=HisSettings.model_validate(
            {"adapter": "rest", "base_url": url, "token": TOKEN, "timeout_seconds": 1.0, **his_settings}
        ),
    )
    async with httpx.AsyncClient() as outbound:
        hub = build_hub(settings, clock=clock, http=outbound)
        seed(hub)  # the hub's departments (the HIS's NOI is among them)
        token = enrol(hub)
        transport = httpx.ASGITransport(app=create_app(hub, background=False))
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test", headers=headers) as client:
            yield HisHub(hub, client, his, clock)
        getattr(hub.his, "close", lambda: None)()
        hub.engine.dispose()


@pytest.fixture
async def his_hub(
    sqlite_url: str, clock: FakeClock, gateway_url: str, reference_his: tuple[ReferenceHis, str]
) -> AsyncIterator[HisHub]:
    his, url = reference_his
    async with open_his_hub(sqlite_url, clock, gateway_url, his, url) as opened:
        yield opened
