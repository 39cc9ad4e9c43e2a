"""`kiosk run` refuses a bad settings file with field-level reasons; it would say so on the panel until IT edits the
file, and where not even the panel opens (no display here) it exits with code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_a_bad_settings_file_stops_the_kiosk_with_reasons(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[session]\nwarning_s = 5\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--config", str(path)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "KIVY_HOME": str(tmp_path / "kivy")},  # no DISPLAY: kmsdrm, no panel here
    )
    assert done.returncode == 2
    said = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert said[0]["error"] == "bad_settings"
    assert any(p.startswith("session.warning_s") for p in said[0]["problems"])
    assert "Traceback" not in done.stderr
