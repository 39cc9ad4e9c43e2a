"""The hub's access-log key: 32 random bytes in a file outside the database (mode 0600, its folder 0700), made on
first use, beside the config-signing key (`hub-keys/`, kept out of the database's backups).

Every hub process that shares a database must read the same file: hashes made under another key would not match.
Losing the file loses nothing but the ability to search older entries by identifier."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from kiosk_hub.settings import HubSettings

KEY_BYTES = 32
KEY_FILE_NAME = "access-log.key"


class KeyFileError(RuntimeError):
    pass


def load_or_create_key(path: Path) -> bytes:
    """The key in `path`; a new one is made if there is none (0600). Written to a temporary file and linked into
    place, so two processes starting at once agree on one key and neither reads a half-written file."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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


def default_key_path(settings: HubSettings) -> Path | None:
    """`KIOSK_HUB_ACCESS_LOG_KEY_FILE`; else `access-log.key` in the folder of the config-signing key; None for an
    in-memory database (a key for the process's life is enough: the log goes with it)."""
    if settings.access.access_log_key_file is not None:
        return settings.access.access_log_key_file
    if settings.database_url in ("sqlite://", "sqlite:///:memory:"):
        return None
    return settings.key_file_path().parent / KEY_FILE_NAME
