"""The `kiosk-hub` command run as a real subprocess: migrate, seed-demo, kiosk add, openapi."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from kiosk_hub.db.models import Department, Kiosk, Patient

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


def test_migrate_seed_and_enrol_a_kiosk(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert hub_cli("migrate", "--db", db).returncode == 0
    first = hub_cli("seed-demo", "--db", db)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["added"]["departments"] == 11
    again = json.loads(hub_cli("seed-demo", "--db", db).stdout)
    assert again["added"] == {"departments": 0, "patients": 0, "appointments": 0}  # seeding twice adds nothing

    added = hub_cli("kiosk", "add", "Sảnh A - quầy 1", "--db", db)
    assert added.returncode == 0, added.stderr
    enrolled = json.loads(added.stdout)
    assert enrolled["name"] == "Sảnh A - quầy 1"
    token = enrolled["token"]
    duplicate = hub_cli("kiosk", "add", "Sảnh A - quầy 1", "--db", db)
    assert duplicate.returncode == 1
    assert "kiosk_name_taken" in duplicate.stderr

    engine = create_engine(db)
    with Session(engine) as session:
        kiosk = session.scalars(select(Kiosk)).one()
        assert kiosk.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert session.scalars(select(Department)).all()
        names = [p.full_name for p in session.scalars(select(Patient))]
    engine.dispose()
    assert names
    logs = first.stderr + added.stderr
    assert token not in logs
    assert not any(name in logs for name in names)  # no personal data in the hub's logs


def test_openapi_command_prints_the_committed_document() -> None:
    printed = hub_cli("openapi")
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == json.loads((REPO / "docs" / "openapi.json").read_text(encoding="utf-8"))
