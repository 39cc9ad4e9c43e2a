"""Migration 0800 (releases) on SQLite and PostgreSQL: from the revision before with a fleet in place, to head and
back; the tables match the models; a release key made by the hub is sealed with its key file."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text

from kiosk_hub.db.models import Base
from kiosk_hub.fleet.enrolment import add_kiosk
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import alembic_config, upgrade
from kiosk_hub.releases.keys import release_key
from kiosk_hub.releases.models import ReleaseSigningKey
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import FakeClock
from tests.support.keys import key_file_for
from tests.support.postgres import PostgresServer
from tests.support.schema import table_names

BEFORE = "0660"  # 0800's down_revision
TABLES = {"release_keys", "releases", "release_rollouts", "release_pins", "release_windows", "release_reports"}


def assert_0800_round_trip(url: str, clock: FakeClock) -> None:
    upgrade(url, BEFORE)
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    with hub.writer() as session:
        kiosk_id, _ = add_kiosk(session, "sanh-a-01", clock())
        session.commit()
    hub.engine.dispose()
    upgrade(url)
    assert table_names(url) >= TABLES
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    with hub.writer() as session:
        key = release_key(session, hub.config_keys, clock())
        session.commit()
    with hub.reader() as session:
        row = session.scalars(select(ReleaseSigningKey)).one()
        assert row.key_id == key.key_id
        assert key.private.private_bytes_raw().hex() not in row.private_sealed  # sealed, never in clear
    hub.engine.dispose()
    engine = create_engine(url)
    with engine.connect() as conn:
        drift = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        kiosks = conn.execute(text("SELECT kiosk_id FROM fleet_kiosks")).scalars().all()
    engine.dispose()
    assert [d for d in drift if any(name in repr(d) for name in TABLES)] == []
    assert kiosks == [kiosk_id]
    command.downgrade(alembic_config(url), BEFORE)
    assert not table_names(url) & TABLES
    upgrade(url)
    assert table_names(url) >= TABLES


def test_0800_on_sqlite(tmp_path: Path, clock: FakeClock) -> None:
    assert_0800_round_trip(f"sqlite:///{tmp_path / 'releases.sqlite3'}", clock)


@pytest.mark.postgres
def test_0800_on_postgresql(postgres: PostgresServer, clock: FakeClock) -> None:
    assert_0800_round_trip(postgres.create_database("hub_releases_0800"), clock)
