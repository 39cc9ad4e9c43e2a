"""The real Kivy kiosk (offscreen SDL) driven by keyboard events only, with the speech guide wired in.

Each walk runs in its own process (one Kivy App per process), started from here; the walk writes JSON back.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.ui, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]


def walk(scenario: str, tmp_path: Path) -> dict[str, Any]:
    if importlib.util.find_spec("kivy") is None:  # not importorskip: importing Kivy here would start its logger
        pytest.skip("kivy is the kiosk's UI toolkit (the ui extra)")
    out = tmp_path / f"{scenario}.json"
    env = {
        **os.environ,
        "SDL_VIDEODRIVER": os.environ.get("SDL_VIDEODRIVER", "offscreen"),
        "KIVY_NO_ARGS": "1",
        "KIVY_HOME": str(tmp_path / "kivy-home"),
        "KIVY_NO_CONSOLELOG": "1",
        "KIVY_LOG_MODE": "PYTHON",
        "PYTHONIOENCODING": "utf-8",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.speech.kivy_key_walk", scenario, str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_chip_check_in_through_kivy_key_events_in_five_presses(tmp_path: Path) -> None:
    result = walk("check_in", tmp_path)
    assert result["final_step"] == "done"
    assert result["ticket"] == 1
    assert result["presses"] == 5
    said = result["said"]
    assert said[0].startswith("Đã bật hướng dẫn bằng giọng nói.")
    assert any(s.startswith("Chọn hình thức khám.") for s in said)
    assert any(s.startswith("Khoa Nhi") for s in said)  # the focus moved and was announced
    assert said[-1].startswith("Số thứ tự của bạn là một.")


def test_a_benefit_lookup_with_a_typed_number_through_kivy_key_events(tmp_path: Path) -> None:
    result = walk("benefit_lookup", tmp_path)
    assert result["final_step"] == "benefit"
    said = result["said"]
    assert "không" in said  # the first typed digit, said back
    assert "Bạn được hưởng tám mươi phần trăm" in said[-1]
