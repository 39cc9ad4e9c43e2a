"""Migration 0600 (calling) on SQLite and PostgreSQL: a hub with a morning of tickets, one already called by the old
call-next, upgrades; the rooms go on with that ticket; the tables are what the models say; downgrading puts the
statuses an older hub does not know back to `called` and drops only the calling tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from kiosk_hub import wire
from kiosk_hub.calling.desk import Actor
from kiosk_hub.db.models import Base
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import alembic_config, upgrade
from kiosk_hub.queue.tickets import IssueRequest
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import FakeClock, enrol, seed
from tests.support.keys import key_file_for
from tests.support.postgres import PostgresServer

BEFORE = "0401"  # 0600's down_revision
CALLING_TABLES = {"calling_rooms", "ticket_calls", "call_log", "calling_areas", "calling_area_places",
                  "display_screens"}  # fmt: skip


def assert_0600_round_trip(url: str, clock: FakeClock) -> None:
    upgrade(url, BEFORE)
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    seed(hub)
    kiosk = hub.gate.kiosk_id(enrol(hub))
    assert kiosk is not None
    for key in ("a", "b"):
        hub.queue.issue(IssueRequest(kiosk, key, wire.TicketRequest(department_id="NOI")))
    with hub.engine.begin() as conn:  # called the way a hub before 0600 called (no calling tables yet)
        conn.execute(text("UPDATE tickets SET status = 'called', called_at = :at WHERE number = 1"), {"at": clock()})
    hub.engine.dispose()

    upgrade(url)
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    try:
        with hub.engine.connect() as conn:
            first = conn.execute(text("SELECT id FROM tickets WHERE number = 1")).scalar_one()
            drift = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert [d for d in drift if any(name in repr(d) for name in CALLING_TABLES)] == []
        staff = Actor("staff:test")
        assert hub.calling.desk.recall("NOI", first, staff).status == "called"  # the old call goes on at the room
        assert hub.calling.desk.done("NOI", first, staff).status == "served"
        assert hub.calling.desk.call_next("NOI", None, staff).number == 2
    finally:
        hub.engine.dispose()

    command.downgrade(alembic_config(url), BEFORE)
    engine = create_engine(url)
    try:
        assert not set(inspect(engine).get_table_names()) & CALLING_TABLES
        with engine.connect() as conn:
            statuses = conn.execute(text("SELECT number, status FROM tickets ORDER BY number")).all()
        assert [tuple(s) for s in statuses] == [(1, "called"), (2, "called")]
    finally:
        engine.dispose()
    upgrade(url)


def test_0600_on_sqlite(tmp_path: Path, clock: FakeClock) -> None:
    assert_0600_round_trip(f"sqlite:///{tmp_path / 'calling.sqlite3'}", clock)


@pytest.mark.postgres
def test_0600_on_postgresql(postgres: PostgresServer, clock: FakeClock) -> None:
    assert_0600_round_trip(postgres.create_database("hub_calling_0600"), clock)
