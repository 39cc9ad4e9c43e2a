"""`kiosk config check`: every setting in effect and where it came from (the file, the default, the environment for
what systemd and the session decide), and the verdict: may serve (0), refused (1), cannot be used (2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.kiosk_settings import DEMO_EXAMPLE, PRODUCTION_EXAMPLE, REPO


def check(config: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "config", "check", "--config", str(config), *extra],
        cwd=REPO, env=env or dict(os.environ), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_each_setting_says_where_it_came_from(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "KIOSK_STATE_DIR": str(tmp_path), "DISPLAY": ":0"}
    done = check(PRODUCTION_EXAMPLE, "--json", env=env)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    source = {row["key"]: (row["value"], row["source"]) for row in body["settings"]}
    assert source["hub.base_url"] == ('"https://kiosk-hub.benhvien.local"', "file")
    assert source["session.warning_s"] == ("25.0", "file")
    assert source["devices.printer_confirm_with"] == ('"gs_r"', "default")
    assert source["hub.enrolment_code"] == ("(not set)", "default")
    assert source["screen.video_driver (in effect)"] == ("x11", "auto: DISPLAY=:0")
    assert source["state_dir"] == (str(tmp_path), "env KIOSK_STATE_DIR")
    assert (body["enrolment"], body["refused"]) == ("not enrolled", [])


def test_a_demo_setting_without_demo_true_is_refused_and_secrets_are_not_printed(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    example = PRODUCTION_EXAMPLE.read_text(encoding="utf-8")
    config.write_text(
        'maintenance_pin = "2468"\n' + example.replace('printer = "usb://04b8:0e15"', 'printer = "VIRTUAL"'),
        encoding="utf-8",
    )
    text = check(config).stdout
    assert 'devices.printer = "VIRTUAL"' in text
    assert "verdict: refused: devices.printer is simulated (VIRTUAL)" in text
    assert "2468" not in text
    assert check(config).returncode == 1
    assert check(DEMO_EXAMPLE).returncode == 0  # demo = true: the demo may use them


def test_a_file_that_cannot_be_used_names_its_problems(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[screen]\nvideo_driver = "wayland"\n', encoding="utf-8")
    done = check(config)
    assert done.returncode == 2
    assert "screen.video_driver" in done.stdout
