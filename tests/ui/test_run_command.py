"""`kiosk run` as systemd starts it: a real process draws its first screen, says READY=1 on $NOTIFY_SOCKET, then
pings the watchdog from its event loop; SIGTERM ends it cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.kiosk_settings import write_demo_settings

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def test_kiosk_run_tells_systemd_it_is_ready_and_alive(tmp_path: Path) -> None:
    notify = tmp_path / "notify.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(notify))
    listener.settimeout(60)
    env = dict(os.environ, NOTIFY_SOCKET=str(notify), WATCHDOG_USEC="1000000", KIVY_HOME=str(tmp_path / "kivy"))
    env.pop("WATCHDOG_PID", None)
    config = str(write_demo_settings(tmp_path / "kiosk.toml"))
    started = time.monotonic()
    kiosk = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "run", "--config", config, "--windowed"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        messages = [listener.recv(256).decode()]
        ready_after = time.monotonic() - started
        messages.append(listener.recv(256).decode())
    finally:
        kiosk.send_signal(signal.SIGTERM)
        _, stderr = kiosk.communicate(timeout=30)
        listener.close()
    assert messages == ["READY=1", "WATCHDOG=1"], stderr.decode(errors="replace")[-2000:]
    assert ready_after < 30
    assert b"Traceback" not in stderr


def test_kiosk_run_loads_no_demo_code(tmp_path: Path) -> None:
    # Python's own import log (-X importtime) lists every module the process loaded, up to its first drawn screen.
    notify = tmp_path / "notify.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(notify))
    listener.settimeout(60)
    env = dict(os.environ, NOTIFY_SOCKET=str(notify), KIVY_HOME=str(tmp_path / "kivy"))
    config = str(write_demo_settings(tmp_path / "kiosk.toml"))
    log = tmp_path / "imports.log"  # a file, not a pipe: the log is longer than a pipe holds
    with log.open("wb") as stderr:
        kiosk = subprocess.Popen(
            [sys.executable, "-X", "importtime", "-m", "kiosk", "run", "--config", config, "--windowed"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            ready = listener.recv(256).decode()
        finally:
            kiosk.send_signal(signal.SIGTERM)
            kiosk.wait(timeout=30)
            listener.close()
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    loaded = [line.rsplit("|", 1)[-1].strip() for line in lines if line.startswith("import time:")]
    assert ready == "READY=1"
    assert "kiosk.runtime.root" in loaded  # the log is the run path's
    assert [m for m in loaded if m.startswith("kiosk.demo")] == []
