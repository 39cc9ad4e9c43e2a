"""Migrations 0400 (access tables) and 0401 (event readers become integration credentials) on SQLite and PostgreSQL:
from the revision before, with data in place, to head and back; the tables match the models."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text

from kiosk_hub.access import models as access_models
from kiosk_hub.access.roles import Role
from kiosk_hub.access.users import add_user
from kiosk_hub.app import create_app
from kiosk_hub.db.models import Base, Kiosk
from kiosk_hub.hub import build_hub
from kiosk_hub.kiosk_tokens import hash_token
from kiosk_hub.migrate import alembic_config, upgrade
from kiosk_hub.queue.tickets import IssueRequest
from kiosk_hub.settings import HubSettings
from kiosk_hub.wire import TicketRequest
from tests.hub.conftest import FakeClock, enrol, seed
from tests.support.postgres import PostgresServer
from tests.support.schema import table_names

BEFORE = "0710"  # 0400's down_revision
ACCESS_TABLES = {
    "staff_assignments", "integration_credentials", "ticket_grants", "patient_lookups", "lookup_allowances",
    "sign_in_throttles", "access_revocations",
}  # fmt: skip


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(query))]
    finally:
        engine.dispose()


def assert_0400_round_trip(url: str, clock: FakeClock) -> None:
    upgrade(url, BEFORE)
    engine = create_engine(url)
    with engine.begin() as conn:  # users as the revision before knew them (no may_see_names column yet)
        conn.execute(
            text("INSERT INTO fleet_users (username, password_hash, role, created_at, disabled) "
                 "VALUES ('it-admin', 'x', 'admin', :now, false), ('xem', 'x', 'viewer', :now, false)"),
            {"now": clock()},
        )  # fmt: skip
    engine.dispose()
    hub = build_hub(HubSettings(database_url=url), clock=clock)
    seed(hub)
    enrol(hub, "kiosk-1")
    with hub.reader() as session:  # by name: the token gate reads 0400's revocations
        kiosk = session.scalars(select(Kiosk.id).where(Kiosk.name == "kiosk-1")).one()
    ticket, _ = hub.queue.issue(IssueRequest(kiosk, "k", TicketRequest(department_id="NOI", patient_id="p-1")))
    hub.engine.dispose()

    upgrade(url)
    assert table_names(url) >= ACCESS_TABLES
    assert _rows(url, "SELECT username, role, may_see_names FROM fleet_users ORDER BY username") == [
        ("it-admin", "admin", False), ("xem", "viewer", False),
    ]  # fmt: skip
    hub = build_hub(HubSettings(database_url=url), clock=clock)
    assert hub.queue.get_for_kiosk(kiosk, ticket.id).number == ticket.number  # the ticket stays its kiosk's
    with hub.writer() as session:
        add_user(session, "bs-lan", "mật-khẩu-đủ-dài-42", Role.STAFF, "test", clock())
        session.commit()
    hub.engine.dispose()
    engine = create_engine(url)
    with engine.connect() as conn:
        drift = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    ours = [d for d in drift if any(name in repr(d) for name in (*ACCESS_TABLES, "may_see_names"))]
    assert ours == []  # the migration builds what the models say

    command.downgrade(alembic_config(url), BEFORE)
    assert not table_names(url) & ACCESS_TABLES
    # Staff, a role the older code does not know, are left disabled viewers; the others as they were.
    assert _rows(url, "SELECT username, role, disabled FROM fleet_users ORDER BY username") == [
        ("bs-lan", "viewer", True), ("it-admin", "admin", False), ("xem", "viewer", False),
    ]  # fmt: skip
    upgrade(url)
    assert _rows(url, "SELECT count(*) FROM tickets") == [(1,)]


def test_0400_on_sqlite(tmp_path: Path, clock: FakeClock) -> None:
    assert_0400_round_trip(f"sqlite:///{tmp_path / 'access.sqlite3'}", clock)


@pytest.mark.postgres
def test_0400_on_postgresql(postgres: PostgresServer, clock: FakeClock) -> None:
    assert_0400_round_trip(postgres.create_database("hub_access_0400"), clock)


def test_the_access_models_are_in_the_migrations_metadata() -> None:
    assert {t.name for t in Base.metadata.sorted_tables} >= ACCESS_TABLES
    assert access_models.Base is Base


async def assert_readers_become_integrations(url: str, clock: FakeClock) -> None:
    """0401: an event reader's token keeps pulling the feed, now as an integration credential with `events`."""
    upgrade(url, "0400")
    token, gone = "khe_" + "a" * 43, "khe_" + "b" * 43
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO event_readers (name, token_hash, created_at, revoked) VALUES (:n, :h, :at, :r)"),
            [{"n": "his-pull", "h": hash_token(token), "at": clock(), "r": False},
             {"n": "old-pull", "h": hash_token(gone), "at": clock(), "r": True}],
        )  # fmt: skip
    engine.dispose()
    upgrade(url)
    assert "event_readers" not in table_names(url)
    assert sorted(_rows(url, "SELECT name, scopes, revoked_at IS NULL FROM integration_credentials")) == [
        ("his-pull", "events", True), ("old-pull", "events", False),
    ]  # fmt: skip
    hub = build_hub(HubSettings(database_url=url), clock=clock)
    transport = httpx.ASGITransport(app=create_app(hub, background=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        for bearer, status in ((token, 200), (gone, 401)):
            answer = await client.get("/api/v1/events", headers={"Authorization": f"Bearer {bearer}"})
            assert answer.status_code == status
    hub.engine.dispose()
    command.downgrade(alembic_config(url), "0400")
    assert sorted(_rows(url, "SELECT name, revoked FROM event_readers")) == [("his-pull", False), ("old-pull", True)]
    assert _rows(url, "SELECT count(*) FROM integration_credentials") == [(0,)]


async def test_0401_on_sqlite(tmp_path: Path, clock: FakeClock) -> None:
    await assert_readers_become_integrations(f"sqlite:///{tmp_path / 'readers.sqlite3'}", clock)


@pytest.mark.postgres
async def test_0401_on_postgresql(postgres: PostgresServer, clock: FakeClock) -> None:
    await assert_readers_become_integrations(postgres.create_database("hub_access_0401"), clock)
