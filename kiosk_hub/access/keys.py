"""The hub's access-log key: 32 random bytes in a file outside the database (mode 0600), made on first use.

Every hub process that shares a database must read the same file (set `KIOSK_HUB_ACCESS_LOG_KEY_FILE`): hashes
made under another key would not match. Losing the file loses nothing but the ability to search older entries
by identifier."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

KEY_BYTES = 32


class KeyFileError(RuntimeError):
    pass


def load_or_create_key(path: Path) -> bytes:
    """The key in `path`; a new one is made if there is none (0600). Written to a temporary file and linked into
    place, so two processes starting at once agree on one key and neither reads a half-written file."""
    if not path.exists():
        scratch = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, secrets.token_bytes(KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            with contextlib.suppress(FileExistsError):
                os.link(scratch, path)
        finally:
            scratch.unlink()
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise KeyFileError(f"the access-log key file {path} does not hold {KEY_BYTES} bytes")
    return key


def default_key_path(database_url: str) -> Path | None:
    """Beside a SQLite file; None for an in-memory database (a key for the process's life is enough). For a
    database server: the service's state directory (systemd's `STATE_DIRECTORY`), else the user's
    (`$XDG_STATE_HOME`, ~/.local/state), under kiosk-hub/ — hub processes on other hosts must be given the same
    file through `KIOSK_HUB_ACCESS_LOG_KEY_FILE`."""
    if database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
        return Path(database_url.removeprefix("sqlite:///") + "-access-log.key")
    if database_url.startswith("sqlite"):
        return None
    state = os.environ.get("STATE_DIRECTORY", "").split(":")[0]
    if state:
        return Path(state) / "access-log.key"
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "kiosk-hub"
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    return base / "access-log.key"
