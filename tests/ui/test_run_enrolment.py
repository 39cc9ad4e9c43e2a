"""A kiosk's first start and its life with the hub, as real processes (`kiosk run`, `kiosk-hub serve`, `kiosk
enrol`): it never crash-loops. Before its hub is up it waits out of service and enrols once the hub answers; a
refused code is said once and not retried; revoked in the console, it leaves service and checks back slowly;
`kiosk enrol --code` puts it back. Each state change is one log line, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kiosk_hub.fleet import enrolment
from kiosk_hub.fleet.models import FleetKiosk
from kiosk_hub.migrate import upgrade
from tests.hub.servers import hub_process
from tests.support.kiosk_process import REPO, KioskProcess
from tests.support.waiting import until
from tests.ui.test_run_fleet import closed_port, save_and_roll_out

pytestmark = [pytest.mark.ui, pytest.mark.slow]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    engine = create_engine(url, connect_args={"timeout": 30})
    yield url, engine
    engine.dispose()


def new_code(engine: Engine) -> str:
    with Session(engine) as session:
        code = enrolment.create_code(session, "it-admin", datetime.now(UTC))
        session.commit()
    return code


def settings_file(tmp_path: Path, base_url: str, code: str | None) -> Path:
    path = tmp_path / "kiosk.toml"
    code_line = f'enrolment_code = "{code}"\n' if code else ""
    path.write_text(  # simulated devices (demo = true) on a real hub, drawn offscreen: no panel here
        f'demo = true\nkiosk_name = "sanh-b-02"\n[hub]\nmode = "remote"\nbase_url = "{base_url}"\n{code_line}'
        '[devices]\nchip_reader = "VIRTUAL"\ncamera = "VIRTUAL"\nprinter = "VIRTUAL"\n'
        '[screen]\nvideo_driver = "offscreen"\n',
        encoding="utf-8",
    )
    return path


def test_first_start_before_the_hub_then_revoked_then_enrolled_again(
    database: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = database
    save_and_roll_out(engine, poll_seconds=2, heartbeat_seconds=5)
    port = closed_port()  # the hub will listen here, later
    settings = settings_file(tmp_path, f"http://127.0.0.1:{port}", new_code(engine))
    state = tmp_path / "state"
    first = KioskProcess(settings, state, tmp_path, "first")
    try:
        first.ready()  # the out-of-service panel is up: systemd sees a healthy process, not a crash loop
        assert first.lines("out of service: not_connected")
        with hub_process(url, port=port):
            assert first.wait(timeout=60) == 75  # enrolled on a retry: starts again, into service
        assert (state / "credentials.json").stat().st_mode & 0o777 == 0o600
        assert len(first.lines("out of service:")) == 1  # one line for the state, none per retry
        assert "Traceback" not in first.log()
    finally:
        first.stop()

    with hub_process(url, port=port):
        serving = KioskProcess(settings, state, tmp_path, "serving")
        try:
            serving.ready()
            kiosk_id = until("a heartbeat", lambda: _seen(engine))
            assert serving.lines("out of service") == []
            with Session(engine) as session:
                enrolment.revoke(session, kiosk_id, "it-admin", datetime.now(UTC))
                session.commit()
            assert serving.wait(timeout=60) == 75  # the next heartbeat is refused: it leaves service
            assert "Traceback" not in serving.log()
        finally:
            serving.stop()

        revoked = KioskProcess(settings, state, tmp_path, "revoked")
        try:
            revoked.ready()
            assert revoked.lines("out of service: revoked")
            assert revoked.alive_after(3)  # waits on its panel, checking back with a long backoff
            enrolled = _kiosk_enrol(settings, state, new_code(engine))
            assert enrolled["name"] == "sanh-b-02"
            assert enrolled["enrolled"] != kiosk_id  # a new kiosk record; the revoked one stays revoked
            assert revoked.wait(timeout=30) == 75  # it saw the new credentials: starts again, into service
            assert "Traceback" not in revoked.log()
        finally:
            revoked.stop()


def test_a_refused_code_is_said_once_and_waits_for_it(database: tuple[str, Engine], tmp_path: Path) -> None:
    url, _engine = database
    with hub_process(url) as base_url:
        settings = settings_file(tmp_path, base_url, "AAAA-BBBB-CCCC")
        kiosk = KioskProcess(settings, tmp_path / "state", tmp_path)
        try:
            kiosk.ready()
            assert kiosk.alive_after(8)  # longer than the first retry would wait: no retry of a refused code
            assert len(kiosk.lines("out of service: enrolment_refused")) == 1
            assert kiosk.lines("out of service:") == kiosk.lines("out of service: enrolment_refused")
            settings.write_text(settings.read_text(encoding="utf-8"), encoding="utf-8")  # IT edits the file
            assert kiosk.wait(timeout=30) == 75
        finally:
            kiosk.stop()
    assert "Traceback" not in kiosk.log()


def _seen(engine: Engine) -> str | None:
    with Session(engine) as session:
        row = session.scalars(select(FleetKiosk).where(FleetKiosk.last_seen_at.is_not(None))).first()
        return row.kiosk_id if row is not None else None


def _kiosk_enrol(settings: Path, state: Path, code: str) -> dict[str, str]:
    env = dict(os.environ, KIOSK_STATE_DIR=str(state))
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "enrol", "--code", code, "--config", str(settings)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))
