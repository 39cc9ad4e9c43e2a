"""The kiosk's configuration files on disk: the applied one, the last one that passed its health probes, and the
versions that failed them (never retried).

Every write is atomic (temp file, fsync, rename, fsync of the directory), so a power cut at any moment leaves
either the old or the new file, each complete and loadable. What a file holds is checked by `trust.py` when the
agent starts: this module only reads and writes.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from kiosk.remote_config.envelope import SignedConfig
from kiosk.remote_config.schema import RemoteConfig

log = logging.getLogger(__name__)

CURRENT = "current.json"
LAST_GOOD = "last-good.json"
FAILED = "failed-versions.json"
KEEP_FAILED = 50  # versions only grow: the newest failures are the ones the hub may still serve


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that readers (and a rebooted machine) see the old or the new bytes, never a mix."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    # The rename itself lives in the directory: without this a power cut can forget it.
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class ConfigStore:
    """`current.json` is what runs; `last-good.json` is what to go back to. Both hold signed documents."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def _read(self, name: str) -> SignedConfig | None:
        path = self.directory / name
        try:
            document = SignedConfig.model_validate_json(path.read_bytes())
            RemoteConfig.model_validate(document.config)
        except FileNotFoundError:
            return None
        except (ValidationError, ValueError, OSError) as exc:
            # Cannot happen with atomic writes unless the disk lies; fall back rather than refuse to start.
            log.warning("config file %s unreadable (%s); ignoring it", name, type(exc).__name__)
            return None
        return document

    def current(self) -> SignedConfig | None:
        return self._read(CURRENT)

    def last_good(self) -> SignedConfig | None:
        return self._read(LAST_GOOD)

    def write_current(self, document: SignedConfig) -> None:
        atomic_write(self.directory / CURRENT, _encode(document))

    def commit(self, document: SignedConfig) -> None:
        atomic_write(self.directory / LAST_GOOD, _encode(document))

    def refresh(self, document: SignedConfig) -> None:
        """The same version signed again (a later expiry, or a newer format): replace each file holding it."""
        for name in (CURRENT, LAST_GOOD):
            held = self._read(name)
            if held is not None and held.version == document.version:
                atomic_write(self.directory / name, _encode(document))

    def set_aside(self, name: str) -> None:
        """A stored file that failed its checks stops being read; it stays beside the others for IT to look at."""
        path = self.directory / name
        if path.exists():
            os.replace(path, path.with_name(path.name + ".refused"))

    def failed_versions(self) -> set[int]:
        try:
            return {int(v) for v in json.loads((self.directory / FAILED).read_bytes())}
        except FileNotFoundError:
            return set()
        except (ValueError, TypeError) as exc:
            log.warning("%s unreadable (%s): starting a new list", FAILED, type(exc).__name__)
            return set()

    def remember_failed(self, version: int) -> None:
        """A version that failed its probes is not tried again after a restart (only a newer one is)."""
        versions = sorted(self.failed_versions() | {version})[-KEEP_FAILED:]
        atomic_write(self.directory / FAILED, json.dumps(versions).encode())

    def restore(self, good: SignedConfig | None) -> None:
        """Make `good` (the last good document, checked by the caller) current again; None: the defaults apply."""
        if good is None:
            (self.directory / CURRENT).unlink(missing_ok=True)
        else:
            self.write_current(good)


def _encode(document: SignedConfig) -> bytes:
    stored = document.model_dump(mode="json", exclude={"key_changes"}, exclude_none=True)
    return json.dumps(stored, ensure_ascii=False, indent=1).encode("utf-8")
