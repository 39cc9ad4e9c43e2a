"""Store failures other than a full disk, over real HTTP: a read-only PostgreSQL, one that is not there, and tables
behind (or ahead of) the code's migrations. Each is a 503 `store_unavailable` with its reason, and `/healthz` says
the same; never a 500."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import create_engine, text

from kiosk_hub.app import create_app
from kiosk_hub.health.store import StoreFault
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import current_head, upgrade
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import FakeClock, prepared_database
from tests.hub.servers import serve_in_thread
from tests.support.keys import key_file_for
from tests.support.postgres import PostgresServer

TICKET = {"department_id": "KKB", "lane": "normal"}


@contextlib.contextmanager
def serving(database_url: str, clock: FakeClock | None = None) -> Iterator[str]:
    settings = HubSettings(database_url=database_url, key_file=key_file_for(database_url))
    hub = build_hub(settings, **({"clock": clock} if clock else {}))
    try:
        with serve_in_thread(create_app(hub, background=False)) as url:
            yield url
    finally:
        hub.engine.dispose()


def assert_unavailable(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "30"
    assert (response.json()["code"], response.json()["detail"]) == ("store_unavailable", reason)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.postgres
def test_a_read_only_postgresql_is_told_apart(postgres: PostgresServer) -> None:
    url = postgres.create_database("hub_read_only")
    token = prepared_database(url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("ALTER DATABASE hub_read_only SET default_transaction_read_only = on"))
    engine.dispose()
    with serving(url) as base:
        ticket = httpx.post(
            f"{base}/api/v1/tickets",
            json=TICKET,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "ro-1"},
            timeout=10,
        )
        assert_unavailable(ticket, "store_read_only")
        assert_unavailable(httpx.get(f"{base}/healthz", timeout=10), "store_read_only")
        detail = httpx.get(f"{base}/healthz", params={"detail": "1"}, timeout=10)
        assert detail.status_code == 503
        assert detail.json()["reasons"][0] == "store_read_only"


def test_an_unreachable_database_is_a_503_for_kiosks_and_health() -> None:
    url = f"postgresql+psycopg://hub@127.0.0.1:{_closed_port()}/hub?connect_timeout=2"
    with serving(url) as base:
        ticket = httpx.post(
            f"{base}/api/v1/tickets",
            json=TICKET,
            headers={"Authorization": "Bearer kh_not-checked-before-the-store", "Idempotency-Key": "u-1"},
            timeout=30,
        )
        assert_unavailable(ticket, "store_unreachable")
        assert_unavailable(httpx.get(f"{base}/healthz", timeout=30), "store_unreachable")


def test_tables_behind_the_code_say_run_the_migrations(sqlite_url: str) -> None:
    behind = sqlite_url.replace("hub.sqlite3", "behind.sqlite3")
    upgrade(behind, "0300")
    with serving(behind) as base:
        assert_unavailable(httpx.get(f"{base}/healthz", timeout=10), "migrations_behind")
        checks = httpx.get(f"{base}/healthz", params={"detail": "1"}, timeout=10).json()["checks"]
        assert checks["migrations"] == {
            "ok": False,
            "fault": "migrations_behind",
            "database": "0300",
            "code": current_head(),
        }
    with serving(sqlite_url) as base:  # the fixture's database is at head
        assert httpx.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}


def test_tables_a_newer_hub_migrated_say_this_code_is_old(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with serving(sqlite_url) as base:
        assert_unavailable(httpx.get(f"{base}/healthz", timeout=10), "migrations_ahead")


def test_a_failed_write_fails_readiness_until_a_write_commits_or_a_minute_passes(
    sqlite_url: str, clock: FakeClock
) -> None:
    token = prepared_database(sqlite_url)
    hub = build_hub(HubSettings(database_url=sqlite_url), clock=clock)
    try:
        with serve_in_thread(create_app(hub, background=False)) as base:
            hub.store.failed(StoreFault.DISK_FULL)  # as the 503 handler records it
            assert_unavailable(httpx.get(f"{base}/healthz", timeout=10), "disk_full")
            clock.now += timedelta(seconds=61)  # out of rotation, no writes: back on trial after a minute
            assert httpx.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}
            writes = httpx.get(f"{base}/healthz", params={"detail": "1"}, timeout=10).json()["checks"]["writes"]
            assert (writes["ok"], writes["last_failure"]) == (True, "disk_full")

            hub.store.failed(StoreFault.DISK_FULL)
            ticket = httpx.post(
                f"{base}/api/v1/tickets",
                json=TICKET,
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "proof"},
                timeout=10,
            )
            assert ticket.status_code == 201  # a write committed: the store takes writes again
            assert httpx.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}
    finally:
        hub.engine.dispose()
