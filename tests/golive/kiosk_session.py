"""The installed kiosk session (systemd/kiosk-weston.service) started as systemd would start it, on a machine with
no systemd, no DRM device and no input device: the unit's ExecStart, user and environment, a private
XDG_RUNTIME_DIR, $NOTIFY_SOCKET to hear the kiosk's READY=1; weston on its X11 backend over an Xvfb "panel"
(the headless backend has no seat, and weston 10's kiosk-shell maps no window without one), and weston's own
screenshooter (--debug) for the picture of the panel."""

from __future__ import annotations

import configparser
import contextlib
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.kiosk_process import heard_ready
from tests.support.processes import stop

PANEL = (1080, 1920)


def unit_service(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return dict(parser["Service"])


def _as_user(user: str) -> list[str]:
    return ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups"]


class KioskSession:
    def __init__(self, unit: Path, work: Path, display: int = 73) -> None:
        self.service = unit_service(unit)
        self.user = self.service["User"]
        self.display = display
        entry = pwd.getpwnam(self.user)
        # The session's user must reach its runtime directory, the notify socket and the pictures: not under the
        # test's own private temporary directory.
        self.work = Path(tempfile.mkdtemp(prefix="kiosk-session-", dir="/tmp"))
        self.work.chmod(0o755)
        self.runtime = self.work / "runtime"
        self.runtime.mkdir(mode=0o700)
        os.chown(self.runtime, entry.pw_uid, entry.pw_gid)
        self.log_path = work / "session.log"
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify = self.work / "notify.sock"
        self._listener.bind(str(notify))
        os.chmod(notify, 0o777)  # the kiosk's user writes READY=1 to it
        self.notify = notify
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        x11 = Path("/tmp/.X11-unix")
        x11.mkdir(exist_ok=True)
        x11.chmod(0o1777)
        xvfb = ["Xvfb", f":{self.display}", "-screen", "0", f"{PANEL[0]}x{PANEL[1]}x24", "-nolisten", "tcp"]
        self.processes.append(subprocess.Popen(xvfb, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 20
        while not (x11 / f"X{self.display}").exists():
            assert time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.1)
        env = {"PATH": "/usr/bin:/bin", "HOME": self.service["WorkingDirectory"], "LANG": "C.UTF-8"}
        for assignment in shlex.split(self.service.get("Environment", "")):
            name, _, value = assignment.partition("=")
            env[name] = value
        env |= {"XDG_RUNTIME_DIR": str(self.runtime), "DISPLAY": f":{self.display}", "NOTIFY_SOCKET": str(self.notify)}
        stand_in = ["--backend=x11-backend.so", "--use-pixman", f"--width={PANEL[0]}", f"--height={PANEL[1]}",
                    "--debug", "--socket=wl-kiosk"]  # fmt: skip
        command = [*_as_user(self.user), *shlex.split(self.service["ExecStart"]), *stand_in]
        with self.log_path.open("ab") as log:
            weston = subprocess.Popen(  # its own process group: weston, Xwayland and the kiosk, stopped together
                command, cwd=self.service["WorkingDirectory"], env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=log, start_new_session=True,
            )  # fmt: skip
        self.processes.append(weston)

    def ready(self, timeout: float = 90) -> float:
        """Seconds until the kiosk, weston's child, said READY=1."""
        return heard_ready(self._listener, timeout, self.log)

    def screenshot(self, into: Path) -> Path:
        """weston's picture of its output: what the panel shows."""
        shots = self.work / "shots"
        shots.mkdir(exist_ok=True)
        shots.chmod(0o777)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(shots), "XDG_RUNTIME_DIR": str(self.runtime),
               "WAYLAND_DISPLAY": "wl-kiosk"}  # fmt: skip
        before = set(shots.iterdir())
        subprocess.run([*_as_user(self.user), "weston-screenshooter"], cwd=shots, env=env, check=True, timeout=30)
        (taken,) = set(shots.iterdir()) - before
        taken.rename(into)
        return into

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.processes)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        weston = self.processes[-1] if len(self.processes) > 1 else None
        if weston is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(weston.pid, signal.SIGTERM)  # the group this session started: weston and its children
        for process in reversed(self.processes):
            stop(process, timeout=20)
        self._listener.close()
        shutil.rmtree(self.work, ignore_errors=True)
