"""`kiosk run` under fleet management, as a real process: a hub (uvicorn, SQLite file) on loopback, a kiosk with
simulated devices enrolled with a one-time code. The kiosk applies the configuration saved at the hub and reports it,
sends heartbeats with its devices' states, prints a test slip and sends a screenshot when the console asks, and
reverts a configuration whose printer does not answer, saying why."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kiosk.remote_config.schema import ActionKind, RemoteConfig
from kiosk_hub.access.roles import Role
from kiosk_hub.access.users import add_user
from kiosk_hub.fleet import actions, configs, enrolment, rollout
from kiosk_hub.fleet.models import ConfigReportRow, FleetKiosk, HeartbeatRow, RemoteAction
from kiosk_hub.his.demo_seed import seed_departments
from kiosk_hub.migrate import upgrade
from tests.hub.servers import hub_process
from tests.support.processes import stop
from tests.support.waiting import until

pytestmark = [pytest.mark.ui, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when this returns: nothing listens there


def save_and_roll_out(engine: Engine, **changes: object) -> int:
    document = RemoteConfig().model_dump(mode="json") | changes
    now = datetime.now(UTC)
    with Session(engine) as session:
        version = configs.save_version(session, document, "it-admin", now)
        session.flush()
        rollout.start(session, enrolment.default_group(session, now).id, version, "it-admin", now)
        session.commit()
    return version


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    engine = create_engine(url, connect_args={"timeout": 30})
    with Session(engine) as session:  # the hospital's departments: a configuration may only name these
        seed_departments(session)
        session.commit()
    with hub_process(url) as base_url:
        yield base_url, engine
    engine.dispose()


def test_kiosk_run_applies_reports_beats_acts_and_reverts(hub: tuple[str, Engine], tmp_path: Path) -> None:
    base_url, engine = hub
    quick = {"poll_seconds": 2, "heartbeat_seconds": 5}
    first = save_and_roll_out(
        engine, **quick, printer={"uri": "VIRTUAL", "profile": "TM-T20II", "paper_width_mm": 80},
        idle={"screen_seconds": 90, "wipe_after_warning_seconds": 30}, departments_shown=["NOI", "NHI"],
    )  # fmt: skip
    with Session(engine) as session:
        code = enrolment.create_code(session, "it-admin", datetime.now(UTC))
        session.commit()
    settings = tmp_path / "kiosk.toml"
    settings.write_text(  # simulated devices on a real hub: a demo kiosk, drawing offscreen (no panel here)
        f'demo = true\nkiosk_name = "sanh-fleet-1"\n[hub]\nmode = "remote"\nbase_url = "{base_url}"\n'
        f'enrolment_code = "{code}"\n'
        '[devices]\nchip_reader = "VIRTUAL"\ncamera = "VIRTUAL"\nprinter = "VIRTUAL"\n'
        '[screen]\nvideo_driver = "offscreen"\n',
        encoding="utf-8",
    )
    state = tmp_path / "state"
    env = dict(os.environ, KIOSK_STATE_DIR=str(state), KIVY_HOME=str(tmp_path / "kivy"), KIVY_NO_ARGS="1")
    env.pop("NOTIFY_SOCKET", None)
    log_path = tmp_path / "kiosk.log"
    with log_path.open("wb") as log_file:
        kiosk = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "run", "--config", str(settings), "--windowed"],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log_file,
        )  # fmt: skip
        try:
            kiosk_id = _scenario(engine, first, quick, state)
            _console_shows(base_url, engine, kiosk_id, first)
            with Session(engine) as session:
                actions.queue(session, kiosk_id, ActionKind.RESTART, "it-admin", datetime.now(UTC))
                session.commit()
            exit_code = kiosk.wait(timeout=30)  # systemd's Restart=always starts it again on a non-zero code
        except BaseException:
            print(log_path.read_text(errors="replace")[-4000:])
            raise
        finally:
            stop(kiosk)  # still running only when the test failed before the restart
    log = log_path.read_text(errors="replace")
    assert exit_code == 75, log[-4000:]
    assert "Traceback" not in log, log[-4000:]
    assert "90.0s" in log  # the idle timeout from the console is the one in effect


def _scenario(engine: Engine, first: int, quick: dict[str, int], state: Path) -> str:
    def fleet_row() -> FleetKiosk | None:
        with Session(engine) as session:
            row = session.scalars(select(FleetKiosk)).first()
            return row if row is not None and row.config_version == first and row.last_seen_at else None

    kiosk = until("the kiosk to apply and report v1", fleet_row, timeout=60)
    assert kiosk.config_status == "applied"
    # Drawing offscreen: nothing reaches a panel, so the display is not green, whatever the other devices say.
    devices = {"printer": "ok", "reader": "ok", "camera": "ok", "hub": "ok", "display": "missing"}
    assert json.loads(kiosk.devices) == devices
    assert json.loads((state / "remote-config" / "last-good.json").read_text())["version"] == first
    # What the update agent waits for before it commits a new release: READY, with the devices probed.
    ready = json.loads((state / "updates" / "app-ready.json").read_text())
    assert ready["version"] == version("vn-hospital-kiosk")
    assert ready["devices"]["printer"] == "ok"
    with Session(engine) as session:
        session.get(FleetKiosk, kiosk.kiosk_id).canary = True  # type: ignore[union-attr]
        session.commit()

    nobody_there = {"uri": f"tcp://127.0.0.1:{closed_port()}", "profile": "TM-T20II", "paper_width_mm": 80}
    broken = save_and_roll_out(engine, **quick, printer=nobody_there)

    def reverted() -> ConfigReportRow | None:
        with Session(engine) as session:
            query = select(ConfigReportRow).where(
                ConfigReportRow.version == broken, ConfigReportRow.status == "reverted"
            )
            return session.scalars(query).first()

    report = until("the broken printer config to be reverted", reverted)
    assert report.reason.startswith("probe_failed: printer")
    with Session(engine) as session:
        row = session.get(FleetKiosk, kiosk.kiosk_id)
        assert row is not None
        assert (row.config_version, row.config_status) == (first, "reverted")
        now = datetime.now(UTC)
        ids = {
            kind: actions.queue(session, kiosk.kiosk_id, kind, "it-admin", now)
            for kind in (ActionKind.TEST_PRINT, ActionKind.SCREENSHOT)
        }
        session.commit()
    done = {kind: until(f"{kind} to be done", _finished(engine, action_id)) for kind, action_id in ids.items()}
    assert done[ActionKind.TEST_PRINT].ok, done[ActionKind.TEST_PRINT].detail
    assert done[ActionKind.TEST_PRINT].detail == "test slip printed on VIRTUAL"  # the printer is the reverted one
    shot = Image.open(io.BytesIO(base64.b64decode(done[ActionKind.SCREENSHOT].screenshot_png_base64)))
    assert shot.width >= 200
    assert len(shot.convert("RGB").getcolors(maxcolors=4096) or ()) > 2  # a drawn screen, not a blank one
    shot.save(state.parent / "screenshot.png")

    with Session(engine) as session:
        latest = session.get(FleetKiosk, kiosk.kiosk_id)
        history = session.scalars(select(HeartbeatRow).where(HeartbeatRow.kiosk_id == kiosk.kiosk_id)).all()
    assert latest is not None
    assert latest.last_seen_at is not None
    assert kiosk.last_seen_at is not None
    assert latest.last_seen_at > kiosk.last_seen_at  # heartbeats kept coming through the revert and the actions
    assert (latest.app_version, latest.config_version) == ("0.1.0", first)
    assert json.loads(latest.devices)["printer"] == "ok"
    assert all(json.loads(b.body)["alerts"] == [] for b in history)  # nothing went wrong for a patient
    display = json.loads(history[-1].body)["display"]
    assert (display["driver"], display["width"], display["height"]) == ("offscreen", 1080, 1920)
    assert display["frames_last_minute"] >= 1  # it draws, just not on a panel
    return kiosk.kiosk_id


def _console_shows(base_url: str, engine: Engine, kiosk_id: str, first: int) -> None:
    """What IT sees on the kiosk's console page: the applied version, and why the last one was reverted."""
    password = "mật-khẩu-đủ-dài-42"
    with Session(engine) as session:
        add_user(session, "it-admin", password, Role.ADMIN, "test", datetime.now(UTC))
        session.commit()
    with httpx.Client(base_url=base_url, timeout=10) as browser:
        login = browser.get("/fleet/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', login)
        assert csrf is not None
        browser.post("/fleet/login", data={"csrf": csrf.group(1), "username": "it-admin", "password": password})
        page = browser.get(f"/fleet/kiosks/{kiosk_id}")
        fleet = browser.get("/fleet")
    # A kiosk drawing offscreen is not green on the fleet page, and its page says what its panel does.
    badge = re.search(r'<span class="badge device ([a-z]*)" data-device="display" data-state="([a-z]+)"', fleet.text)
    assert badge is not None, fleet.text
    assert badge.groups() == ("bad", "missing")
    display = re.search(r'<p id="display">.*?</p>', page.text)
    assert display is not None
    assert re.search(r"offscreen 1080×1920 · [1-9]\d* ", display.group(0)), display.group(0)
    assert page.status_code == 200
    assert f'<strong id="applied-version">{first}</strong>' in page.text
    assert "probe_failed: printer" in page.text
    assert "test slip printed on VIRTUAL" in page.text


def _finished(engine: Engine, action_id: str) -> Callable[[], RemoteAction | None]:
    def probe() -> RemoteAction | None:
        with Session(engine) as session:
            action = session.get(RemoteAction, action_id)
            return action if action is not None and action.done_at is not None else None

    return probe
