"""The config-signing key at rest: sealed in the database by a key file (0600) outside it, made on the first start
with a log line, refused with a clear reason when the file is missing or another one; a key an older hub kept in
clear is sealed when the upgraded hub starts and kiosks enrolled before keep trusting it; `kiosk-hub keys` rotates.
On SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, inspect, select, text

from kiosk.remote_config.enrolment import enrol
from kiosk.remote_config.envelope import key_id_of
from kiosk.remote_config.schema import ApplyStatus
from kiosk_hub.app import create_app
from kiosk_hub.fleet import key_rotation
from kiosk_hub.fleet.models import ConfigKeyChange, ConfigSigningKey, ConfigVersion
from kiosk_hub.fleet.signing import SigningKeyUnavailableError
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.migrate import alembic_config, upgrade
from kiosk_hub.settings import HubSettings
from tests.fleet.conftest import FakeClock, FleetHub, enrolled_kiosk
from tests.fleet.test_fleet_api import roll_out, save
from tests.support.postgres import PostgresServer

REPO = Path(__file__).resolve().parents[2]
OFFICER_CCCD = "001190000001"


def hub_on(url: str, key_file: Path, clock: FakeClock | None = None) -> Hub:
    return build_hub(HubSettings(database_url=url, key_file=key_file), clock=clock or FakeClock())


@pytest.fixture
async def fleet_with_key_file(tmp_path: Path) -> AsyncIterator[FleetHub]:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    clock = FakeClock()
    hub = hub_on(url, tmp_path / "etc" / "hub-keys" / "config-signing.key", clock)
    app = create_app(hub, background=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as client:
        yield FleetHub(hub, app, client, clock)
    hub.engine.dispose()


def raw_private(pem_or_key: Ed25519PrivateKey) -> bytes:
    return pem_or_key.private_bytes_raw()


async def test_the_key_is_sealed_by_a_0600_key_file_outside_the_database(
    fleet_with_key_file: FleetHub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fleet = fleet_with_key_file
    key_file = fleet.hub.config_keys.key_file
    assert not key_file.exists()
    with caplog.at_level("WARNING", logger="kiosk_hub.keys"):
        assert fleet.hub.prepare_config_keys() is not None  # what the hub does as it starts
    assert "created the config-signing key file" in caplog.text
    assert (key_file.stat().st_mode & 0o777, key_file.parent.stat().st_mode & 0o777) == (0o600, 0o700)
    with fleet.hub.reader() as session:
        row = session.scalars(select(ConfigSigningKey)).one()
        key = fleet.hub.config_keys.active(session)
    assert row.private_pem is None
    assert row.private_sealed is not None
    database = (tmp_path / "hub.sqlite3").read_bytes() + (tmp_path / "hub.sqlite3-wal").read_bytes()
    assert raw_private(key.private) not in database
    assert base64.b64encode(raw_private(key.private)) not in database
    assert b"PRIVATE KEY" not in database


async def test_without_its_key_file_the_hub_serves_patients_but_signs_nothing_and_makes_no_new_file(
    fleet_with_key_file: FleetHub, tmp_path: Path, tmp_kiosks: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fleet = fleet_with_key_file
    kiosk = await enrolled_kiosk(fleet, tmp_kiosks, "lobby")
    roll_out(fleet, save(fleet))
    key_file = fleet.hub.config_keys.key_file
    moved = key_file.with_name("elsewhere.key")
    key_file.rename(moved)
    # Another hub process on the same database, started without the file (a second host not set up yet).
    second = hub_on(f"sqlite:///{tmp_path / 'hub.sqlite3'}", key_file)
    try:
        with caplog.at_level("ERROR"):
            assert second.prepare_config_keys() is None
        assert "is missing, and this database holds keys sealed by one" in caplog.text
        assert not key_file.exists()
        app = create_app(second, background=False)
        headers = {"Authorization": f"Bearer {kiosk.credentials.token}"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub.test", headers=headers
        ) as http:
            refused = await http.get("/fleet/v1/config")
            assert (refused.status_code, refused.json()["code"]) == (503, "config_signing_unavailable")
            assert (await http.get("/api/v1/departments")).status_code == 200  # patients are still served
        # Another host's own file (made by mistake): the sealed key does not open with it.
        key_file.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
        key_file.chmod(0o600)
        other = hub_on(f"sqlite:///{tmp_path / 'hub.sqlite3'}", key_file)
        with other.reader() as session, pytest.raises(SigningKeyUnavailableError, match="does not open"):
            other.config_keys.active(session)
        other.engine.dispose()
        key_file.chmod(0o644)
        loose = hub_on(f"sqlite:///{tmp_path / 'hub.sqlite3'}", key_file)
        with loose.reader() as session, pytest.raises(SigningKeyUnavailableError, match="readable by other users"):
            loose.config_keys.active(session)
        loose.engine.dispose()
    finally:
        second.engine.dispose()
    moved.replace(key_file)
    assert (await kiosk.agent.poll_once()).status is ApplyStatus.APPLIED  # the right file back: signing again


def _older_hub_database(url: str) -> tuple[Ed25519PrivateKey, str]:
    """A database as the previous release left it: its signing key in clear, a version with the lookup officer."""
    upgrade(url, "0310")
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    engine = create_engine(url)
    config = {"schema_version": 2, "lookup_officer": {"name": "Nguyễn Thị Tra Cứu", "id_number": OFFICER_CCCD}}
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO fleet_signing_keys VALUES ('main', :id, :pem, :pub, CURRENT_TIMESTAMP)"),
            {"id": key_id_of(raw), "pem": pem, "pub": base64.b64encode(raw).decode()},
        )
        conn.execute(
            text("INSERT INTO fleet_config_versions VALUES (1, :c, 'sig', :id, '', 'it-admin', CURRENT_TIMESTAMP)"),
            {"c": json.dumps(config), "id": key_id_of(raw)},
        )
    engine.dispose()
    return private, base64.b64encode(raw).decode()


async def assert_upgrade_seals_the_key_kiosks_trust(url: str, key_file: Path) -> None:
    private, public_b64 = _older_hub_database(url)
    upgrade(url)
    hub = hub_on(url, key_file)
    try:
        with hub.reader() as session:
            stored = json.loads(session.scalars(select(ConfigVersion)).one().config)
        assert "lookup_officer" not in stored
        assert OFFICER_CCCD not in json.dumps(stored)
        assert hub.prepare_config_keys() is not None  # the upgraded hub's first start
        with hub.reader() as session:
            row = session.scalars(select(ConfigSigningKey)).one()
            assert (row.private_pem, row.active, row.public_b64) == (None, "active", public_b64)
            assert raw_private(hub.config_keys.active(session).private) == raw_private(private)
        app = create_app(hub, background=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as client:
            fleet = FleetHub(hub, app, client, hub.clock)  # type: ignore[arg-type]
            kiosk = await enrol(client, fleet.new_code(), "after-upgrade")
        assert kiosk.config_public_key == public_b64  # kiosks enrolled before trust the same key
    finally:
        hub.engine.dispose()
    command.downgrade(alembic_config(url), "0310")
    engine = create_engine(url)
    try:
        assert "fleet_signing_keys" in inspect(engine).get_table_names()
        assert "fleet_config_keys" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    upgrade(url)


async def test_a_key_an_older_hub_kept_in_clear_is_sealed_at_start_on_sqlite(tmp_path: Path) -> None:
    await assert_upgrade_seals_the_key_kiosks_trust(f"sqlite:///{tmp_path / 'old.sqlite3'}", tmp_path / "k" / "f.key")


@pytest.mark.postgres
async def test_a_key_an_older_hub_kept_in_clear_is_sealed_at_start_on_postgresql(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    url = postgres.create_database(f"keys_{uuid.uuid4().hex[:8]}")
    await assert_upgrade_seals_the_key_kiosks_trust(url, tmp_path / "k" / "f.key")


@pytest.mark.postgres
async def test_two_hub_processes_share_the_key_file_and_rotations_never_fork_on_postgresql(
    postgres: PostgresServer, tmp_path: Path, tmp_kiosks: Path
) -> None:
    url = postgres.create_database(f"keys_{uuid.uuid4().hex[:8]}")
    upgrade(url)
    key_file = tmp_path / "hub-keys" / "config-signing.key"
    clock = FakeClock()
    first, second = hub_on(url, key_file, clock), hub_on(url, key_file, clock)
    app = create_app(first, background=False)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as client:
            fleet = FleetHub(first, app, client, clock)
            kiosk = await enrolled_kiosk(fleet, tmp_kiosks, "lobby")
            roll_out(fleet, save(fleet))
            assert (await kiosk.agent.poll_once()).status is ApplyStatus.APPLIED
            outcomes: list[object] = []

            def rotate() -> None:
                try:
                    with second.writer() as session:
                        outcomes.append(key_rotation.rotate(session, second.config_keys, "cli", clock()))
                        session.commit()
                except SigningKeyUnavailableError as exc:
                    outcomes.append(exc)

            threads = [threading.Thread(target=rotate) for _ in range(3)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            with first.reader() as session:
                chain = list(session.scalars(select(ConfigKeyChange).order_by(ConfigKeyChange.id)))
                active = first.config_keys.active(session)
            rotated = [o for o in outcomes if not isinstance(o, Exception)]
            assert len(chain) == len(rotated) >= 1
            assert [c.previous_key_id for c in chain[1:]] == [c.key_id for c in chain[:-1]]  # one line, no fork
            assert chain[-1].key_id == active.key_id
            clock.advance(60)
            assert (await kiosk.agent.poll_once()).status is None  # served by the first process with the new key
            current = kiosk.store.current()
            assert current is not None
            assert current.key_id == active.key_id
    finally:
        first.engine.dispose()
        second.engine.dispose()


def hub_command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk_hub.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL, check=False, env={**os.environ, **env},
    )  # fmt: skip


def test_the_command_line_makes_the_key_file_at_migrate_lists_keys_and_rotates(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    env = {"KIOSK_HUB_KEY_FILE": str(tmp_path / "etc" / "config-signing.key")}
    migrated = hub_command(env, "migrate", "--db", db)
    assert migrated.returncode == 0, migrated.stderr
    assert "created the config-signing key file" in migrated.stderr
    first = json.loads(migrated.stdout)["config_key_id"]
    assert "created the config-signing key file" not in hub_command(env, "migrate", "--db", db).stderr
    rotated = hub_command(env, "keys", "rotate-config", "--db", db)
    assert rotated.returncode == 0, rotated.stderr
    change = json.loads(rotated.stdout)
    assert change["previous_key_id"] == first
    listed = json.loads(hub_command(env, "keys", "list", "--db", db).stdout)
    assert [(k["key_id"], k["active"], k["sealed"]) for k in listed["keys"]] == [
        (change["key_id"], True, True),
        (first, False, True),
    ]
    assert listed["changes"][0]["from"] == first
    assert "PRIVATE" not in json.dumps(listed)
    lost = hub_command({"KIOSK_HUB_KEY_FILE": str(tmp_path / "nowhere.key")}, "keys", "rotate-config", "--db", db)
    assert lost.returncode == 1
    assert json.loads(lost.stderr.strip().splitlines()[-1])["error"] == "config_signing_unavailable"
