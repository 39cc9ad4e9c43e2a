"""Alembic migrations run from an empty database to head, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from kiosk_hub.migrate import current_head, upgrade
from tests.support.postgres import PostgresServer

TABLES = {
    "kiosks",
    "departments",
    "rooms",
    "queue_counters",
    "tickets",
    "demo_patients",
    "demo_appointments",
    "entitlement_rechecks",
    "alembic_version",
}


def assert_migrated(url: str) -> None:
    upgrade(url)
    upgrade(url)  # running it again is a no-op, as `kiosk-hub migrate` on every start would be
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) >= TABLES  # the fleet adds its own tables
        unique = {tuple(c["column_names"]) for c in inspector.get_unique_constraints("tickets")}
        assert ("department_id", "day", "lane", "number") in unique
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == current_head()
    finally:
        engine.dispose()


def test_migrations_from_empty_on_sqlite(tmp_path: Path) -> None:
    assert_migrated(f"sqlite:///{tmp_path / 'empty.sqlite3'}")


@pytest.mark.postgres
def test_migrations_from_empty_on_postgresql(postgres: PostgresServer) -> None:
    assert_migrated(postgres.create_database("hub_migrations"))
