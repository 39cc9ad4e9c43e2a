"""The `kiosk-hub` command run as a real subprocess: migrate, seed-demo, enrolment codes, openapi."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from kiosk.remote_config.enrolment import KioskCredentials, enrol
from kiosk_hub.db.models import Kiosk, Patient
from kiosk_hub.fleet.models import FleetKiosk, KioskGroup
from tests.hub.servers import hub_process

REPO = Path(__file__).resolve().parents[2]


def hub_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk_hub.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def test_migrate_seed_and_enrol_a_kiosk_with_a_code_from_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert hub_cli("migrate", "--db", db).returncode == 0
    first = hub_cli("seed-demo", "--db", db)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["added"]["departments"] == 11
    again = json.loads(hub_cli("seed-demo", "--db", db).stdout)
    assert again["added"] == {"departments": 0, "patients": 0, "appointments": 0}  # seeding twice adds nothing

    made = hub_cli("enrolment-code", "--count", "2", "--db", db)
    assert made.returncode == 0, made.stderr
    printed = json.loads(made.stdout)
    assert printed["group"] == "default"
    codes = printed["codes"]
    assert len(codes) == 2
    assert all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code) for code in codes)

    with hub_process(db) as url:
        credentials = asyncio.run(_enrol(url, codes[0], "Sảnh A - quầy 1"))
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {credentials.token}"}) as kiosk:
            assert kiosk.get("/api/v1/departments").status_code == 200
            beat = kiosk.post("/fleet/v1/heartbeat", json={"app_version": "0.1.0"})
            assert beat.status_code == 200, beat.text  # a fleet kiosk: heartbeats, configurations, actions

    engine = create_engine(db)
    with Session(engine) as session:
        kiosk, fleet, group = session.execute(
            select(Kiosk, FleetKiosk, KioskGroup)
            .join(FleetKiosk, FleetKiosk.kiosk_id == Kiosk.id)
            .join(KioskGroup, KioskGroup.id == FleetKiosk.group_id)
        ).one()
        assert (kiosk.name, group.name) == ("Sảnh A - quầy 1", "default")
        assert kiosk.token_hash == hashlib.sha256(credentials.token.encode()).hexdigest()
        assert fleet.last_seen_at is not None
        names = [p.full_name for p in session.scalars(select(Patient))]
    engine.dispose()
    assert names
    logs = first.stderr + made.stderr
    assert not any(code in logs for code in codes)
    assert not any(name in logs for name in names)  # no personal data in the hub's logs


async def _enrol(url: str, code: str, name: str) -> KioskCredentials:
    async with httpx.AsyncClient(base_url=url) as http:
        return await enrol(http, code, name)


def test_codes_for_a_mistyped_group_are_refused_and_the_groups_listed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert hub_cli("migrate", "--db", db).returncode == 0
    assert hub_cli("enrolment-code", "--group", "sanh-a", "--create-group", "--db", db).returncode == 0
    typo = hub_cli("enrolment-code", "--group", "sanh-à", "--db", db)
    assert typo.returncode == 1
    assert json.loads(typo.stderr.strip().splitlines()[-1]) == {
        "error": "unknown_group",
        "group": "sanh-à",
        "groups": ["sanh-a"],
    }
    again = hub_cli("enrolment-code", "--group", "sanh-a", "--db", db)
    assert json.loads(again.stdout)["group"] == "sanh-a"


def test_kiosk_add_is_gone() -> None:
    # Its tokens made kiosks the console never listed; console enrolment codes are the one way in.
    gone = hub_cli("kiosk", "add", "Sảnh A")
    assert gone.returncode == 2
    assert "invalid choice: 'kiosk'" in gone.stderr


def test_openapi_command_prints_the_committed_document() -> None:
    printed = hub_cli("openapi")
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == json.loads((REPO / "docs" / "openapi.json").read_text(encoding="utf-8"))
