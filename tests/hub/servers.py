"""Real servers for hub tests: uvicorn in a thread (the BHXH simulator) or in a subprocess (the hub)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import uvicorn
from starlette.types import ASGIApp

REPO = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def serve_in_thread(
    app: ASGIApp, *, lifespan: Literal["auto", "on", "off"] = "off", tls: tuple[Path, Path] | None = None
) -> Iterator[str]:
    """Serve an ASGI app on 127.0.0.1, a free port; yields its base URL. `tls`: (certificate, key) for HTTPS."""
    files = {"ssl_certfile": str(tls[0]), "ssl_keyfile": str(tls[1])} if tls is not None else {}
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan=lifespan, **files)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"{'https' if tls is not None else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def hub_process(database_url: str, env: dict[str, str] | None = None, port: int = 0) -> Iterator[str]:
    """`kiosk-hub serve --port PORT` (0: any free one) in its own process; yields its base URL, stops it by PID."""
    full_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "kiosk_hub.cli", "serve", "--db", database_url, "--port", str(port)]
    cmd += ["--log-level", "info"]
    proc = subprocess.Popen(cmd, cwd=REPO, env=full_env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert proc.stderr is not None
    url = None
    lines = []
    deadline = time.monotonic() + 30
    while url is None and time.monotonic() < deadline:
        line = proc.stderr.readline().decode()
        if not line and proc.poll() is not None:
            break
        lines.append(line)
        found = re.search(r"running on (http://127\.0\.0\.1:\d+)", line, re.IGNORECASE)
        url = found.group(1) if found else None
    if url is None:
        proc.kill()
        proc.wait()
        proc.stderr.close()
        raise RuntimeError("hub did not start:\n" + "".join(lines))
    # Keep reading its log so a full pipe never blocks the server.
    drain = threading.Thread(target=proc.stderr.read, daemon=True)
    drain.start()
    try:
        yield url
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        drain.join(timeout=5)
        proc.stderr.close()
