"""Backup and restore through the `kiosk-hub` commands, on SQLite (made while a hub serves a burst of tickets) and on
PostgreSQL: tickets issued, a backup, the store wiped, the backup restored; the hub serves the same tickets and its
next numbers go on without repeating one. A tampered, cut-off or wrong-key backup is refused and changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from kiosk_hub.migrate import upgrade
from kiosk_hub.retention.sealed import BackupKey
from tests.hub.conftest import prepared_database
from tests.hub.servers import REPO, hub_process
from tests.support.postgres import PostgresServer

LANES = [("KKB", "normal"), ("NOI", "normal"), ("NOI", "priority")]


def kiosk_hub(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "kiosk_hub.cli", *args]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"kiosk-hub {args[0]} failed: {done.stderr}")
    return done


def new_key(folder: Path, name: str = "backup.key") -> Path:
    path = folder / name
    made = json.loads(kiosk_hub("backup-key", "new", "--out", str(path)).stdout)
    assert made["key_id"] == BackupKey.read(path).key_id
    return path


async def issue(url: str, token: str, prefix: str, count: int) -> list[dict[str, object]]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:

        async def one(n: int) -> dict[str, object]:
            department, lane = LANES[n % len(LANES)]
            answer = await client.post(
                "/api/v1/tickets",
                json={"department_id": department, "lane": lane},
                headers={"Idempotency-Key": f"{prefix}-{n}"},
            )
            assert answer.status_code == 201, answer.text
            return dict(answer.json())

        return list(await asyncio.gather(*(one(n) for n in range(count))))


def stored_tickets(url: str) -> dict[str, tuple[str, str, int]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, department_id, lane, number FROM tickets"))
            return {row.id: (row.department_id, row.lane, row.number) for row in rows}
    finally:
        engine.dispose()


def assert_numbered_without_gaps(tickets: dict[str, tuple[str, str, int]]) -> None:
    lanes: dict[tuple[str, str], list[int]] = defaultdict(list)
    for department, lane, number in tickets.values():
        lanes[(department, lane)].append(number)
    for numbers in lanes.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


def assert_restored_hub_goes_on(url: str, token: str, kept: dict[str, tuple[str, str, int]]) -> None:
    """The restored hub answers every kept ticket as it was, and its next tickets take numbers never issued."""
    with hub_process(url) as base:
        for ticket_id, (department, lane, number) in kept.items():
            answer = httpx.get(f"{base}/api/v1/tickets/{ticket_id}", headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200
            assert (answer.json()["department_id"], answer.json()["lane"], answer.json()["number"]) == (
                department,
                lane,
                number,
            )
        after = asyncio.run(issue(base, token, "after-restore", 12))
    highest: dict[tuple[str, str], int] = defaultdict(int)
    for department, lane, number in kept.values():
        highest[(department, lane)] = max(highest[(department, lane)], number)
    for ticket in after:
        assert int(str(ticket["number"])) > highest[(str(ticket["department_id"]), str(ticket["lane"]))]
    assert_numbered_without_gaps(stored_tickets(url))


def test_sqlite_backup_while_serving_then_wipe_and_restore(tmp_path: Path, sqlite_url: str) -> None:
    token = prepared_database(sqlite_url)
    key = new_key(tmp_path)
    backup = tmp_path / "backups" / "hub.khbk"
    with hub_process(sqlite_url) as base:
        first = asyncio.run(issue(base, token, "first", 30))
        # The backup is made while kiosks keep issuing: the snapshot is consistent whatever it catches of them.
        burst = threading.Thread(target=lambda: asyncio.run(issue(base, token, "during", 60)))
        burst.start()
        made = json.loads(kiosk_hub("backup", "--out", str(backup), "--key", str(key), "--db", sqlite_url).stdout)
        burst.join()
    assert made["store"] == "sqlite"
    assert backup.stat().st_mode & 0o777 == 0o600
    assert backup.parent.stat().st_mode & 0o777 == 0o700
    plaintext_marker = first[0]["id"]
    assert str(plaintext_marker).encode() not in backup.read_bytes()  # encrypted, not merely packed

    database = Path(sqlite_url.removeprefix("sqlite:///"))
    for path in database.parent.glob(database.name + "*"):
        path.unlink()  # wiped: the database, its WAL and shared memory, its lock files
    restored = json.loads(kiosk_hub("restore", str(backup), "--key", str(key), "--db", sqlite_url).stdout)
    assert restored["store"] == "sqlite"
    assert database.stat().st_mode & 0o777 == 0o600

    kept = stored_tickets(sqlite_url)
    assert {str(t["id"]) for t in first} <= set(kept)  # everything answered before the backup is in it
    assert_numbered_without_gaps(kept)
    assert_restored_hub_goes_on(sqlite_url, token, kept)


@pytest.mark.postgres
def test_postgresql_backup_then_wipe_and_restore(tmp_path: Path, postgres: PostgresServer) -> None:
    url = postgres.create_database(f"hub_backup_{uuid.uuid4().hex[:8]}")
    token = prepared_database(url)
    key = new_key(tmp_path)
    backup = tmp_path / "hub.khbk"
    with hub_process(url) as base:
        issued = asyncio.run(issue(base, token, "first", 30))
        made = json.loads(kiosk_hub("backup", "--out", str(backup), "--key", str(key), "--db", url).stdout)
    assert made["store"] == "postgresql"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    kiosk_hub("restore", str(backup), "--key", str(key), "--db", url)
    kept = stored_tickets(url)
    assert set(kept) == {str(t["id"]) for t in issued}
    assert_restored_hub_goes_on(url, token, kept)


@pytest.fixture
def backed_up(tmp_path: Path, sqlite_url: str) -> tuple[str, Path, Path]:
    prepared_database(sqlite_url)
    key = new_key(tmp_path)
    backup = tmp_path / "hub.khbk"
    kiosk_hub("backup", "--out", str(backup), "--key", str(key), "--db", sqlite_url)
    return sqlite_url, key, backup


def refused(url: str, backup: Path, key: Path) -> str:
    """Runs a restore that must be refused; returns its reason."""
    before = stored_tickets(url), Path(url.removeprefix("sqlite:///")).read_bytes()
    result = kiosk_hub("restore", str(backup), "--key", str(key), "--db", url, check=False)
    assert result.returncode == 1
    assert (stored_tickets(url), Path(url.removeprefix("sqlite:///")).read_bytes()) == before  # nothing changed
    return str(json.loads(result.stderr.strip().splitlines()[-1])["reason"])


def test_a_tampered_backup_is_refused(backed_up: tuple[str, Path, Path]) -> None:
    url, key, backup = backed_up
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    backup.write_bytes(bytes(data))
    assert "tampered" in refused(url, backup, key)


def test_a_cut_off_backup_is_refused(backed_up: tuple[str, Path, Path]) -> None:
    url, key, backup = backed_up
    backup.write_bytes(backup.read_bytes()[: -(64 * 1024 + 16)])  # the last chunk gone: the file still parses
    assert "end is missing" in refused(url, backup, key)


def test_a_backup_is_refused_with_another_key(tmp_path: Path, backed_up: tuple[str, Path, Path]) -> None:
    url, _key, backup = backed_up
    other = new_key(tmp_path, "other.key")
    assert "made with another key" in refused(url, backup, other)


def test_a_key_file_others_can_read_is_refused(tmp_path: Path, backed_up: tuple[str, Path, Path]) -> None:
    url, key, backup = backed_up
    key.chmod(0o644)
    assert "readable by others" in refused(url, backup, key)


def test_a_backup_of_another_store_kind_is_refused(backed_up: tuple[str, Path, Path], tmp_path: Path) -> None:
    _url, key, backup = backed_up
    result = kiosk_hub(
        "restore", str(backup), "--key", str(key), "--db", "postgresql+psycopg://hub@127.0.0.1:1/x", check=False
    )
    assert result.returncode == 1
    assert "is of a sqlite store" in result.stderr


def test_a_key_file_is_never_replaced(tmp_path: Path) -> None:
    key = new_key(tmp_path)
    before = key.read_bytes()
    assert key.stat().st_mode & 0o777 == 0o600
    result = kiosk_hub("backup-key", "new", "--out", str(key), check=False)
    assert result.returncode == 1
    assert key.read_bytes() == before


def test_migrate_run_by_hand_makes_an_owner_only_database(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "hub"
    database = folder / "hub.sqlite3"
    result = subprocess.run(
        ["sh", "-c", f"umask 022 && {sys.executable} -m kiosk_hub.cli migrate --db sqlite:///{database}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(result.stdout.splitlines()[-1])["migrated"] is True
    assert database.stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    # The config-signing key file migrate makes beside a SQLite database is owner-only too.
    key_file = folder / "hub-keys" / "config-signing.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.parent.stat().st_mode & 0o777 == 0o700


def test_a_world_readable_database_is_made_owner_only_at_start(tmp_path: Path) -> None:
    database = tmp_path / "hub.sqlite3"
    upgrade(f"sqlite:///{database}")
    database.chmod(0o644)
    wal = database.with_name(database.name + "-wal")
    wal.touch(mode=0o644)
    wal.chmod(0o644)
    with hub_process(f"sqlite:///{database}") as base:
        assert httpx.get(f"{base}/healthz").status_code == 200
    assert database.stat().st_mode & 0o777 == 0o600
    assert wal.stat().st_mode & 0o777 == 0o600
