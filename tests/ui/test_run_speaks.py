"""`kiosk run` with a `[speech]` section speaks: the installed kiosk's settings build the espeak-ng voice, and the
first screen is said through the configured player as soon as it is drawn (here a player that saves the WAV)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.speech.audio import stream_sound
from tests.support.kiosk_settings import write_demo_settings

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def test_kiosk_run_says_the_first_screen_through_the_configured_player(tmp_path: Path) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is a Debian package of the kiosk")
    heard = tmp_path / "heard.wav"
    config = tmp_path / "kiosk.toml"
    speech = f"""
[speech]
always_on = true
triggers = ["any_key"]
player = "sh -c 'cat > {heard}'"
"""
    write_demo_settings(config, speech)
    env = dict(os.environ, KIVY_HOME=str(tmp_path / "kivy"))
    env.pop("NOTIFY_SOCKET", None)
    kiosk = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "run", "--config", str(config), "--windowed"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not heard.exists() or heard.stat().st_size < 20_000):
            time.sleep(0.2)
        time.sleep(1.0)  # the player finishes writing the utterance
    finally:
        kiosk.send_signal(signal.SIGTERM)
        _, stderr = kiosk.communicate(timeout=30)
    assert heard.exists(), stderr.decode(errors="replace")[-2000:]
    sound = stream_sound(heard.read_bytes())  # espeak-ng's stream: the header announces no length
    assert sound.seconds > 2  # "Xin chào…" and the first choice: seconds of speech, not a click
    assert sound.rms > 0.01  # not silence
    assert b"Traceback" not in stderr
