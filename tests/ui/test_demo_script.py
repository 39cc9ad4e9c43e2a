"""`kiosk demo` with no screen: the scripted walkthrough runs headless through the real screens on the embedded hub,
every scenario behaves, and every screen and ticket is saved as a picture (a real process, as a user runs it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.shots import assert_not_blank

pytestmark = [pytest.mark.ui, pytest.mark.slow]
SCENARIOS = {
    "chip-check-in",
    "cccd-qr-check-in",
    "bhyt-qr-check-in-in-english",
    "expired-card-pays",
    "new-card-issued-early",
    "gateway-outage",
    "hub-outage",
    "revoked-card-to-desk",
    "benefit-lookup",
    "appointment-qr-check-in",
    "same-day-reprint",
    "idle-timeout",
    "paper-out",
    "maintenance",
}


def test_kiosk_demo_without_a_display_walks_every_scenario_and_saves_pictures(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["KIVY_HOME"] = str(tmp_path / "kivy")
    shots = tmp_path / "shots"
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo", "--screenshots", str(shots)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "No display found" in done.stderr
    assert "leaked" not in done.stderr  # the user's terminal ends with the summary, not binding warnings at exit
    assert str(shots) in done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert {r["scenario"] for r in results} == SCENARIOS
    assert all(r["ok"] for r in results), results
    screens = sorted(shots.glob("[0-9]*.png"))
    papers = sorted(shots.glob("paper-*.png"))
    assert len(screens) >= 25
    assert any("desk-slip" in p.name for p in papers)
    assert sum("ticket" in p.name for p in papers) >= 6
    for path in (screens[0], next(p for p in screens if "ticket-on-screen" in p.name)):
        assert_not_blank(path, (1080, 1920))
