"""The hub's own files, owner-only: a SQLite database (and its WAL and shared-memory files, which SQLite creates
with the database's mode) is made 0600 in a 0700 folder, whatever the umask of whoever ran the command first.

Under systemd the unit's UMask=0077 already does this; `kiosk-hub migrate` run by hand with the usual umask 022 used
to leave a world-readable database of patients' identities.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

log = logging.getLogger("kiosk_hub.db")
SIDE_FILES = ("-wal", "-shm", "-journal")


def private_file(path: Path) -> None:
    """Creates `path` (and missing parent folders, 0700) as an empty 0600 file, or takes group and other access away
    from an existing one this user owns."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
    for candidate in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
        _tighten(candidate)


def _tighten(path: Path) -> None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return
    if stat.st_mode & 0o077 and stat.st_uid == os.geteuid():
        os.chmod(path, stat.st_mode & 0o700)
        log.warning("%s was readable by others (mode %o): now owner-only", path, stat.st_mode & 0o777)


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL; None for another store or an in-memory database."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.database.startswith("file:"):  # a URI filename: its owner manages it
        return None
    return Path(parsed.database)
