"""Real servers for hub tests: uvicorn in a thread (the BHXH simulator) or in a subprocess (the hub)."""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import uvicorn
from starlette.types import ASGIApp

REPO = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def serve_in_thread(app: ASGIApp, *, lifespan: Literal["auto", "on", "off"] = "off") -> Iterator[str]:
    """Serve an ASGI app on 127.0.0.1, a free port; yields its base URL."""
    with serve_config_in_thread(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan=lifespan)
    ) as url:
        yield url


@contextlib.contextmanager
def serve_config_in_thread(config: uvicorn.Config) -> Iterator[str]:
    """uvicorn with these settings (host 127.0.0.1, port 0) in a thread; yields its base URL."""
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
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _open_files_limit(soft: int) -> Callable[[], None]:
    def apply() -> None:  # in the child, before exec: the server starts with this soft limit, as systemd would set it
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    return apply


@contextlib.contextmanager
def hub_process(
    database_url: str, env: dict[str, str] | None = None, *, open_files: int | None = None, log: list[str] | None = None
) -> Iterator[str]:
    """`kiosk-hub serve --port 0` in its own process; yields its base URL, stops it by PID. `open_files` sets its soft
    open-file limit; `log` collects its log lines (read as they come, so a full pipe never blocks the server)."""
    cmd = [sys.executable, "-m", "kiosk_hub.cli", "serve", "--db", database_url, "--port", "0", "--log-level", "info"]
    with uvicorn_process(cmd, env, open_files=open_files, log=log) as url:
        yield url


@contextlib.contextmanager
def uvicorn_process(
    cmd: list[str], env: dict[str, str] | None = None, *, open_files: int | None = None, log: list[str] | None = None
) -> Iterator[str]:
    """A command that serves with uvicorn on a free port (the hub, a test receiver), in its own process; yields its
    URL, stops it by PID."""
    full_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=full_env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        preexec_fn=None if open_files is None else _open_files_limit(open_files),
    )
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
        raise RuntimeError("server did not start:\n" + "".join(lines))
    stderr = proc.stderr
    if log is not None:
        log.extend(lines)

    def drain() -> None:
        for raw in stderr:
            if log is not None:
                log.append(raw.decode(errors="replace"))

    draining = threading.Thread(target=drain, daemon=True)
    draining.start()
    try:
        yield url
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        draining.join(timeout=5)
        proc.stderr.close()
