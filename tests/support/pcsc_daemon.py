"""A private pcscd for the test run, with Debian's vsmartcard-vpcd driver, started and stopped by PID.

It runs inside `unshare --net --mount`: vpcd's TCP listener (bound on all addresses) lives in a network namespace of
its own, and /run is a private tmpfs whose /run/pcscd is a bind mount of a temporary directory, so the pcscd socket
is reachable from the tests (PCSCLITE_CSOCK_NAME) at a path that stays the same across restarts. No clash with a
machine's own pcscd, nor with a second test run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_PORT = 0x8C7B  # first slot; the second slot listens on the next port
READER_PREFIX = "Virtual PCD"
FIRST_READER = f"{READER_PREFIX} 00 00"


def pcsc_unavailable_reason() -> str | None:
    """Why pcscd cannot be started here, or None."""
    for tool in ("pcscd", "unshare", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} not installed"
    if not VPCD_DRIVER.exists():
        return "vsmartcard-vpcd not installed"
    if os.geteuid() != 0:
        return "unshare --net --mount needs root"
    return None


class PcscDaemon:
    """pcscd in its own namespaces. `socket_path` is what PCSCLITE_CSOCK_NAME must name in the client process."""

    def __init__(self, workdir: Path) -> None:
        self._conf = workdir / "reader.conf.d"
        self._run = workdir / "run"
        self._log = workdir / "pcscd.log"
        self._conf.mkdir(parents=True, exist_ok=True)
        self._run.mkdir(parents=True, exist_ok=True)
        (self._conf / "vpcd").write_text(
            f'FRIENDLYNAME "{READER_PREFIX}"\nDEVICENAME /dev/null:0x{VPCD_PORT:04X}\n'
            f"LIBPATH {VPCD_DRIVER}\nCHANNELID 0x{VPCD_PORT:04X}\n"
        )
        self._process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def socket_path_in(workdir: Path) -> Path:
        return workdir / "run" / "pcscd.comm"

    @property
    def socket_path(self) -> Path:
        return self.socket_path_in(self._run.parent)

    @property
    def netns(self) -> str:
        if self._process is None:
            raise RuntimeError("pcscd is not running")
        return f"/proc/{self._process.pid}/ns/net"

    def start(self, timeout: float = 10.0) -> None:
        script = (
            "ip link set lo up && mount -t tmpfs tmpfs /run && mkdir -p /run/pcscd && "
            f"mount --bind {self._run} /run/pcscd && exec pcscd --foreground -c {self._conf}"
        )
        self.socket_path.unlink(missing_ok=True)
        with self._log.open("ab") as log:
            # unshare and sh both exec: the PID we hold is pcscd's own.
            self._process = subprocess.Popen(
                ["unshare", "--net", "--mount", "sh", "-c", script], stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_until_listening(timeout)

    def _wait_until_listening(self, timeout: float) -> None:
        # Look for vpcd's port in the namespace's /proc/net/tcp: a probe connection would look like a card.
        assert self._process is not None
        wanted = f":{VPCD_PORT:04X} 00000000:0000 0A"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"pcscd exited: {self._log.read_text(errors='replace')[-2000:]}")
            try:
                table = Path(f"/proc/{self._process.pid}/net/tcp").read_text()
            except OSError:
                table = ""
            if wanted in table and self.socket_path.exists():
                return
            time.sleep(0.05)
        self.stop()
        raise TimeoutError("pcscd did not start listening")

    def stop(self, timeout: float = 5.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


@contextlib.contextmanager
def running_pcscd(directory: Path) -> Iterator[PcscDaemon]:
    """A private pcscd for a fixture: skipped with the reason where it cannot run, stopped by PID afterwards."""
    reason = pcsc_unavailable_reason()
    if reason is not None:
        pytest.skip(f"pcscd with vpcd cannot run here: {reason}")
    daemon = PcscDaemon(directory)
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()
