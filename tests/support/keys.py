"""Where a test hub keeps the key file that seals its configuration-signing key: never the installed place in /etc
(the machine's own, or another test run's). A SQLite hub keeps it beside its database, as the hub does by itself;
any other store gets a temporary directory named after the database, so every hub of one database (in this process
or started as `kiosk-hub serve`) shares it, as the units share theirs. The run removes them at its end
(tests/conftest.py)."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

KEY_FILE_NAME = "config-signing.key"
_made: set[Path] = set()


def key_file_for(database_url: str) -> Path | None:
    """None for SQLite (beside the database); else this run's own place for that database's key file."""
    if database_url.startswith("sqlite"):
        return None
    name = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    directory = Path(tempfile.gettempdir()) / f"kiosk-hub-test-keys-{name}"
    _made.add(directory)
    return directory / KEY_FILE_NAME


def remove_key_files() -> None:
    for directory in _made:
        shutil.rmtree(directory, ignore_errors=True)
    _made.clear()
