"""`kiosk-hub backup` and `restore`: the whole store in one encrypted file (`sealed.py`), made while the hub serves.

SQLite: the online backup API copies a consistent snapshot into memory (WAL readers never block the writer), so no
plaintext copy touches the disk. PostgreSQL: `pg_dump` in its custom format, streamed into the file as it comes, and
`pg_restore` in one transaction. A restore reads the whole file through once before it changes anything.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy.engine import URL, make_url

from kiosk_hub.db.files import private_file
from kiosk_hub.retention.sealed import BackupError, BackupKey, seal, unseal

READ_SIZE = 1024 * 1024


@dataclass(frozen=True)
class BackupMade:
    path: Path
    store: str
    revision: str | None
    size: int


def make_backup(database_url: str, key: BackupKey, out: Path) -> BackupMade:
    """Writes the encrypted backup to `out` (0600, through a temporary name: a failed backup leaves nothing)."""
    url = make_url(database_url)
    if out.exists():
        raise BackupError(f"{out} exists: a backup never replaces a file")
    out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    store = _store(url)
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as sink:
            if store == "sqlite":
                pieces, revision = _sqlite_snapshot(_sqlite_path(url))
                seal(key, _metadata(store, revision), pieces, sink)
            else:
                revision = _pg_revision(url)
                with _pg_dump(url) as chunks:
                    seal(key, _metadata(store, revision), chunks, sink)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(partial, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return BackupMade(out, store, revision, out.stat().st_size)


def restore_backup(database_url: str, key: BackupKey, backup: Path) -> dict[str, object]:
    """Replaces the store's content with the backup's; returns the backup's metadata. Stop the hub first."""
    url = make_url(database_url)
    with backup.open("rb") as source:  # first pass: every chunk authenticated, nothing used yet
        metadata, chunks = unseal(key, source)
        for _ in chunks:
            pass
    store = _store(url)
    if metadata.get("store") != store:
        raise BackupError(f"this backup is of a {metadata.get('store')} store; {database_url} is {store}")
    with backup.open("rb") as source:
        _, chunks = unseal(key, source)
        if store == "sqlite":
            _sqlite_restore(b"".join(chunks), _sqlite_path(url))
        else:
            _pg_restore(url, chunks)
    return metadata


def _metadata(store: str, revision: str | None) -> dict[str, object]:
    return {"store": store, "made_at": datetime.now(UTC).isoformat(timespec="seconds"), "revision": revision}


def _store(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("an in-memory database has nothing to back up or restore")
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        return "postgresql"
    raise BackupError(f"backups of {url.get_backend_name()} stores are not supported")


def _sqlite_path(url: URL) -> Path:
    return Path(str(url.database))


def _sqlite_snapshot(path: Path) -> tuple[list[bytes | memoryview], str | None]:
    if not path.exists():
        raise BackupError(f"no database at {path}")
    source = sqlite3.connect(path)
    snapshot = sqlite3.connect(":memory:")
    try:
        source.backup(snapshot)  # in one step: one read transaction, a consistent copy however busy the writer
        revision = _sqlite_revision(snapshot)
        image = snapshot.serialize()
        # The copy keeps the WAL flag in its header (bytes 18-19), which an image opened in memory cannot honour:
        # marked as a rollback-journal database it opens anywhere; the hub turns WAL back on when it connects.
        return [image[:18], b"\x01\x01", memoryview(image)[20:]], revision
    finally:
        snapshot.close()
        source.close()


def _sqlite_revision(db: sqlite3.Connection) -> str | None:
    with contextlib.suppress(sqlite3.Error):
        row = db.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    return None


def _sqlite_restore(data: bytes, path: Path) -> None:
    loaded = sqlite3.connect(":memory:")
    try:
        loaded.deserialize(data)
        if loaded.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError("the backup opened but its database fails SQLite's integrity check")
        private_file(path)
        target = sqlite3.connect(path)
        try:
            loaded.backup(target)  # written through the target's journal: all of it or none
        finally:
            target.close()
    finally:
        loaded.close()


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return found


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    # The password goes in the environment, never on the command line (where `ps` shows it).
    args = ["-h", url.host or "localhost", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    return [*args, "-d", str(url.database)], env


def _pg_revision(url: URL) -> str | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


@contextlib.contextmanager
def _pg_dump(url: URL) -> Iterator[Iterator[bytes]]:
    args, env = _pg_args(url)
    cmd = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    stdout, stderr = proc.stdout, proc.stderr
    assert stdout is not None
    assert stderr is not None
    try:
        yield iter(lambda: stdout.read(READ_SIZE), b"")
    except BaseException:  # the backup file failed (a full disk?): that is the error to report, not pg_dump's
        proc.kill()
        proc.wait()
        raise
    finally:
        stdout.close()
    error = stderr.read().decode(errors="replace").strip()
    stderr.close()
    if proc.wait() != 0:
        raise BackupError(f"pg_dump failed: {error}")


def _pg_restore(url: URL, chunks: Iterator[bytes]) -> None:
    args, env = _pg_args(url)
    cmd = [
        _pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        *args,
    ]
    with subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    ) as proc:
        stdin: IO[bytes] = proc.stdin  # type: ignore[assignment]
        with contextlib.suppress(BrokenPipeError):  # pg_restore stopped on an error: its message says which
            for chunk in chunks:
                stdin.write(chunk)
            stdin.close()
        error = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
        if proc.wait() != 0:
            raise BackupError(f"pg_restore failed (nothing was changed): {error}")
