"""HAProxy for tests: the shipped configuration (deploy/haproxy/kiosk-hub.cfg) pointed at the test's hubs,
certificate and a free port on 127.0.0.1, run in the foreground and stopped by PID.

Only addresses and the certificate path change; every other line (health checks, retries, timeouts) is the file
hospitals install, so the test checks what they run. A change to those lines that the test no longer finds fails.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support.processes import stop

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "deploy" / "haproxy" / "kiosk-hub.cfg"


def available() -> bool:
    return shutil.which("haproxy") is not None


def free_port() -> int:
    """A port nothing listens on now (HAProxy cannot bind port 0 and tell us which it got)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the shipped HAProxy configuration no longer has {old!r} once"
    return text.replace(old, new)


def configuration(port: int, bundle: Path, backends: list[str]) -> str:
    """The shipped file for HAProxy on 127.0.0.1:`port` with `bundle` (certificate + key), in front of `backends`
    ("127.0.0.1:PORT" each, as many as the file has servers)."""
    text = SHIPPED.read_text(encoding="utf-8")
    text = _replace_once(text, "    log /dev/log local0\n", "    log stderr format raw local0\n")  # the test log
    text = _replace_once(
        text, "bind :443 ssl crt /etc/haproxy/certs/kiosk-hub.pem", f"bind 127.0.0.1:{port} ssl crt {bundle}"
    )
    for n, address in enumerate(backends, start=1):
        text = _replace_once(text, f"server hub{n} 127.0.0.1:{8080 + n} check", f"server hub{n} {address} check")
    return text


@contextlib.contextmanager
def running_haproxy(config: str, directory: Path, port: int, context: ssl.SSLContext) -> Iterator[int]:
    """HAProxy with `config`, once its TLS port answers a handshake; yields its PID."""
    path = directory / "haproxy.cfg"
    path.write_text(config, encoding="utf-8")
    check = subprocess.run(["haproxy", "-c", "-q", "-f", str(path)], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stdout + check.stderr
    log = (directory / "haproxy.log").open("wb")
    proc = subprocess.Popen(["haproxy", "-db", "-f", str(path)], stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    log.close()
    try:
        _wait_for_handshake(port, context, proc, time.monotonic() + 20)
        yield proc.pid
    finally:
        stop(proc, timeout=10)


def _wait_for_handshake(port: int, context: ssl.SSLContext, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"haproxy exited with {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=1) as raw,
            context.wrap_socket(raw, server_hostname="localhost"),
        ):
            return
        time.sleep(0.05)
    raise RuntimeError("haproxy did not start in time")
