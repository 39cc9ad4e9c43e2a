"""Fleet fixtures: a migrated hub over ASGI, enrolment through the real API, a kiosk's agent and heartbeats."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from kiosk.remote_config.agent import ProbeOutcome, SyncAgent
from kiosk.remote_config.enrolment import KioskCredentials, enrol
from kiosk.remote_config.heartbeat import HeartbeatSender
from kiosk.remote_config.schema import DeviceState, FunnelCounters, Heartbeat, RemoteConfig
from kiosk.remote_config.store import ConfigStore
from kiosk.remote_config.trust import ConfigTrust
from kiosk_hub.app import create_app
from kiosk_hub.fleet import enrolment
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.support.keys import key_file_for
from tests.support.postgres import PostgresServer, available, running_postgres


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FleetHub:
    hub: Hub
    app: FastAPI
    client: httpx.AsyncClient
    clock: FakeClock

    def new_code(self, group_id: str | None = None) -> str:
        with self.hub.writer() as session:
            code = enrolment.create_code(session, "it-admin", self.clock(), group_id)
            session.commit()
        return code


@pytest.fixture
def hub_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if not available():
        pytest.skip("Debian's PostgreSQL 15 binaries are not installed")
    with running_postgres() as server:
        yield server


@pytest.fixture
async def fleet(hub_url: str) -> AsyncIterator[FleetHub]:
    clock = FakeClock()
    hub = build_hub(HubSettings(database_url=hub_url, key_file=key_file_for(hub_url)), clock=clock)
    app = create_app(hub, background=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as client:
        yield FleetHub(hub, app, client, clock)
    await hub.http.aclose()
    hub.engine.dispose()


@dataclass
class KioskUnderTest:
    """One enrolled kiosk: its credentials, config store, sync agent and heartbeat sender over the hub's ASGI app."""

    credentials: KioskCredentials
    http: httpx.AsyncClient
    agent: SyncAgent
    sender: HeartbeatSender
    store: ConfigStore
    printer_broken_uris: set[str] = field(default_factory=set)
    applied: list[RemoteConfig] = field(default_factory=list)
    funnel: FunnelCounters = field(default_factory=FunnelCounters)


async def enrolled_kiosk(fleet: FleetHub, tmp: Path, name: str, group_id: str | None = None) -> KioskUnderTest:
    credentials = await enrol(fleet.client, fleet.new_code(group_id), name)
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fleet.app),
        base_url="http://hub.test",
        headers={"Authorization": f"Bearer {credentials.token}"},
    )
    store = ConfigStore(tmp / name)
    holder: dict[str, KioskUnderTest] = {}

    async def apply(config: RemoteConfig) -> None:
        holder["k"].applied.append(config)

    async def printer(config: RemoteConfig) -> ProbeOutcome:
        broken = config.printer.uri in holder["k"].printer_broken_uris
        return ProbeOutcome(not broken, "paper path jammed" if broken else "")

    agent = SyncAgent(
        http,
        store,
        ConfigTrust.of(credentials, store, fleet.clock),
        apply=apply,
        probes={"printer": printer},
        session_active=lambda: False,
    )

    def snapshot() -> Heartbeat:
        k = holder["k"]
        return Heartbeat(
            app_version="0.1.0",
            config_version=k.agent.applied_version,
            config_status=k.agent.last_status,
            devices={"printer": DeviceState.OK, "reader": DeviceState.OK, "camera": DeviceState.MISSING},
            funnel=k.funnel,
            day="2026-11-23",
            uptime_seconds=60,
        )

    sender = HeartbeatSender(http, snapshot, {})
    holder["k"] = KioskUnderTest(credentials, http, agent, sender, store)
    return holder["k"]


@pytest.fixture
def tmp_kiosks(tmp_path: Path) -> Path:
    path = tmp_path / "kiosks"
    path.mkdir()
    return path
