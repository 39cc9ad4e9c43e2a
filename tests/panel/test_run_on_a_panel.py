"""`kiosk run` and the panel, as real processes: with no panel it says why in one line and exits 69 (systemd shows
it) instead of Kivy's silent 102 or a window nobody sees; on an X display (Xvfb standing in for weston's Xwayland)
it takes the display's size, turned by the settings' rotation."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.kiosk_process import REPO
from tests.support.kiosk_settings import write_demo_settings

pytestmark = pytest.mark.slow


def run(config: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--config", str(config)], cwd=REPO, env=env, capture_output=True,
        text=True, stdin=subprocess.DEVNULL, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("driver", "why"),
    [
        ("x11", "x11 not available; DISPLAY is not set"),
        ("kmsdrm", "kmsdrm not available;"),
        ("auto", "video driver kmsdrm"),  # systemd's environment has no DISPLAY: the panel straight from the kernel
    ],
)
def test_no_panel_is_one_line_and_exit_69(tmp_path: Path, driver: str, why: str) -> None:
    config = write_demo_settings(tmp_path / "kiosk.toml", driver=driver)
    done = run(config, {"PATH": "/usr/bin:/bin", "KIVY_HOME": str(tmp_path / "kivy")})
    assert done.returncode == 69, done.stderr[-2000:]
    said = [line for line in done.stderr.splitlines() if "cannot open the panel" in line]
    assert len(said) == 1, done.stderr[-2000:]
    assert "Không mở được màn hình" in said[0]
    assert why in said[0]
    assert "Traceback" not in done.stderr


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    number = 90 + os.getpid() % 100
    xvfb = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 20
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        assert time.monotonic() < deadline, "Xvfb did not start"
        assert xvfb.poll() is None, "Xvfb ended"
        time.sleep(0.1)
    yield f":{number}"
    os.kill(xvfb.pid, signal.SIGTERM)
    xvfb.wait(timeout=20)


@pytest.mark.parametrize(
    ("rotation", "laid_out"), [(0, "x11 1920×1080, rotation 0"), (90, "x11 1080×1920, rotation 90")]
)
def test_the_size_comes_from_the_display_and_the_rotation_from_the_settings(
    tmp_path: Path, x_display: str, rotation: int, laid_out: str
) -> None:
    config = write_demo_settings(tmp_path / "kiosk.toml", f"rotation = {rotation}\n", driver="auto")
    env = {"PATH": "/usr/bin:/bin", "KIVY_HOME": str(tmp_path / "kivy"), "DISPLAY": x_display,
           "KIOSK_STATE_DIR": str(tmp_path / "state")}  # fmt: skip
    log = tmp_path / "kiosk.log"
    with log.open("wb") as out:
        kiosk = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--config", str(config), "--windowed"],
                                 cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while "panel:" not in log.read_text(errors="replace") and time.monotonic() < deadline:
                assert kiosk.poll() is None, log.read_text(errors="replace")[-3000:]
                time.sleep(0.2)
        finally:
            os.kill(kiosk.pid, signal.SIGTERM)
            kiosk.wait(timeout=30)
    assert f"panel: {laid_out} (auto: DISPLAY={x_display})" in log.read_text(errors="replace")
