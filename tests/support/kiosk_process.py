"""`kiosk run` as systemd starts it, for tests: its own process with $NOTIFY_SOCKET (READY=1 is heard), its log in
a file, stopped by PID."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.processes import stop

REPO = Path(__file__).resolve().parents[2]


def heard_ready(listener: socket.socket, timeout: float, log: Callable[[], str]) -> float:
    """Seconds until the kiosk's READY=1 reached systemd's notify socket (`listener`), or the log's end in the
    failure."""
    started = time.monotonic()
    listener.settimeout(timeout)
    try:
        message = listener.recv(256).decode()
    except TimeoutError as exc:
        raise AssertionError(f"no READY=1 within {timeout} s:\n{log()[-4000:]}") from exc
    assert message == "READY=1", message
    return time.monotonic() - started


class KioskProcess:
    def __init__(self, settings: Path, state: Path, work: Path, name: str = "kiosk") -> None:
        self.settings, self.state = settings, state
        self.log_path = work / f"{name}.log"
        notify = work / f"{name}.notify"
        notify.unlink(missing_ok=True)
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._listener.bind(str(notify))
        env = dict(os.environ, NOTIFY_SOCKET=str(notify), KIOSK_STATE_DIR=str(state), KIVY_HOME=str(work / "kivy"))
        env.pop("WATCHDOG_USEC", None)
        env.pop("DISPLAY", None)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "run", "--config", str(settings), "--windowed"],
                cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip

    def ready(self, timeout: float = 60) -> None:
        """Until the kiosk tells systemd READY=1 (its first screen, in service or not, is drawn)."""
        heard_ready(self._listener, timeout, self.log)

    def wait(self, timeout: float = 60) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"the kiosk did not end within {timeout} s:\n{self.log()[-3000:]}") from exc

    def alive_after(self, seconds: float) -> bool:
        time.sleep(seconds)
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def lines(self, needle: str) -> list[str]:
        return [line for line in self.log().splitlines() if needle in line]

    def stop(self) -> None:
        stop(self.process)
        self._listener.close()
