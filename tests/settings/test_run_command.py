"""`kiosk run` refuses a bad settings file with field-level reasons and exit code 2, before opening any window."""

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
    )
    assert done.returncode == 2
    error = json.loads(done.stderr.strip().splitlines()[-1])
    assert error["error"] == "bad_settings"
    assert any(p.startswith("session.warning_s") for p in error["problems"])
