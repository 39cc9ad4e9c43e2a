"""A throwaway PostgreSQL for tests: Debian's binaries, a temporary data directory, 127.0.0.1 on a free port.

Started as the `postgres` user when the test run is root (PostgreSQL refuses to run as root), stopped by PID.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    pid: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host={self.host} port={self.port} user={self.user} dbname=postgres") as conn:
            conn.autocommit = True
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def available() -> bool:
    return (PG_BIN / "initdb").exists() and (PG_BIN / "postgres").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres_user() -> list[str]:
    """A prefix that drops root to the `postgres` account (exec, so the PID we keep is the server's)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]


def _wait_ready(host: str, port: int, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"postgres exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.2):
            ready = subprocess.run(
                [str(PG_BIN / "pg_isready"), "-h", host, "-p", str(port)], capture_output=True, check=False
            )
            if ready.returncode == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("postgres did not start in time")


@contextlib.contextmanager
def running_postgres(
    *, durable: bool = False, port: int | None = None, socket_dir: Path | None = None, user: str = "hub"
) -> Iterator[PostgresServer]:
    """A throwaway server in a temporary directory; `durable` keeps fsync on (benchmarks: a commit costs what it
    costs in a hospital), tests leave it off. `port`, `socket_dir` and the superuser `user` default to a free port,
    the temporary directory and "hub"; a machine of its own (the go-live sandbox) may take Debian's: 5432,
    /run/postgresql and "postgres"."""
    root = Path(tempfile.mkdtemp(prefix="hub-pg-"))
    data = root / "data"
    sockets = socket_dir or root
    prefix = _as_postgres_user()
    if prefix:
        pw = pwd.getpwnam("postgres")
        for directory in {root, sockets}:
            directory.mkdir(parents=True, exist_ok=True)
            os.chown(directory, pw.pw_uid, pw.pw_gid)
    proc: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            [*prefix, str(PG_BIN / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True,
            capture_output=True,
        )
        port = port or _free_port()
        log = (root / "server.log").open("wb")
        proc = subprocess.Popen(
            [
                *prefix,
                str(PG_BIN / "postgres"),
                "-D", str(data),
                "-h", "127.0.0.1",
                "-p", str(port),
                "-k", str(sockets),
                "-c", f"fsync={'on' if durable else 'off'}",
                "-c", "max_connections=300",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )  # fmt: skip
        log.close()  # the server has its own descriptor now
        _wait_ready("127.0.0.1", port, proc, time.monotonic() + 30)
        yield PostgresServer("127.0.0.1", port, user, proc.pid)
    finally:
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGINT)  # "fast shutdown": ends sessions, stops cleanly
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        shutil.rmtree(root, ignore_errors=True)
