"""Real servers for hub tests: uvicorn in a thread (the BHXH simulator) or in a subprocess (the hub)."""

from __future__ import annotations

import contextlib
import os
import re
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import uvicorn
from starlette.types import ASGIApp

from tests.support.keys import key_file_for
from tests.support.processes import stop

REPO = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def serve_in_thread(
    app: ASGIApp, *, lifespan: Literal["auto", "on", "off"] = "off", tls: tuple[Path, Path] | None = None
) -> Iterator[str]:
    """Serve an ASGI app on 127.0.0.1, a free port; yields its base URL. `tls`: (certificate, key) for HTTPS."""
    files = {"ssl_certfile": str(tls[0]), "ssl_keyfile": str(tls[1])} if tls is not None else {}
    with serve_config_in_thread(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan=lifespan, **files)
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
        yield f"{'https' if config.is_ssl else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _open_files_limit(soft: int) -> Callable[[], None]:
    def apply() -> None:  # in the child, before exec: the server starts with this soft limit, as systemd would set it
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    return apply


@dataclass(frozen=True)
class ServeOptions:
    """How a test starts `kiosk-hub serve`: extra arguments, its soft open-file limit, where its PID and log go."""

    args: tuple[str, ...] = ()
    open_files: int | None = None
    pid: list[int] | None = None  # the PID is appended, for a test that kills the hub itself
    startup_log: list[str] | None = None  # its log lines up to "running on"
    log: list[str] | None = None  # every log line, read as they come (a full pipe never blocks the server)


@contextlib.contextmanager
def hub_process(
    database_url: str,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    pid: list[int] | None = None,
    startup_log: list[str] | None = None,
    *,
    port: int = 0,
    open_files: int | None = None,
    log: list[str] | None = None,
) -> Iterator[str]:
    """`kiosk-hub serve --port PORT ARGS` (0: any free port) in its own process; yields its base URL (http or https),
    stops it by PID."""
    full_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "kiosk_hub.cli", "serve", "--db", database_url, "--port", str(port)]
    options = ServeOptions(args, open_files, pid, startup_log, log)
    with _key_file_for(database_url, full_env):
        yield from _serve([*cmd, "--log-level", "info", *args], full_env, options)


@contextlib.contextmanager
def _key_file_for(database_url: str, env: dict[str, str]) -> Iterator[None]:
    """A SQLite hub keeps its key file beside its database; one on PostgreSQL would use the installed place in /etc:
    the hubs of a test share one in a temporary directory instead (tests/support/keys.py)."""
    key_file = key_file_for(database_url)
    if "KIOSK_HUB_KEY_FILE" not in env and key_file is not None:
        env["KIOSK_HUB_KEY_FILE"] = str(key_file)
    yield


@contextlib.contextmanager
def uvicorn_process(
    cmd: list[str], env: dict[str, str] | None = None, *, open_files: int | None = None, log: list[str] | None = None
) -> Iterator[str]:
    """A command that serves with uvicorn on a free port (a test receiver), in its own process; yields its URL, stops
    it by PID."""
    full_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    yield from _serve(cmd, full_env, ServeOptions(open_files=open_files, log=log))


def _serve(cmd: list[str], full_env: dict[str, str], options: ServeOptions) -> Iterator[str]:
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=full_env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        preexec_fn=None if options.open_files is None else _open_files_limit(options.open_files),
    )
    if options.pid is not None:
        options.pid.append(proc.pid)
    assert proc.stderr is not None
    url = None
    lines = []
    deadline = time.monotonic() + 30
    while url is None and time.monotonic() < deadline:
        line = proc.stderr.readline().decode()
        if not line and proc.poll() is not None:
            break
        lines.append(line)
        found = re.search(r"running on (https?://127\.0\.0\.1:\d+)", line, re.IGNORECASE)
        url = found.group(1) if found else None
    if options.startup_log is not None:
        options.startup_log.extend(lines)
    if url is None:
        proc.kill()
        proc.wait()
        proc.stderr.close()
        raise RuntimeError("server did not start:\n" + "".join(lines))
    stderr, log = proc.stderr, options.log
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
        stop(proc)
        draining.join(timeout=5)
        proc.stderr.close()
