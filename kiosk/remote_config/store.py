"""The kiosk's configuration files on disk: the applied one and the last one that passed its health probes.

Every write is atomic (temp file, fsync, rename, fsync of the directory), so a power cut at any moment leaves
either the old or the new file, each complete and loadable.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from kiosk.remote_config.schema import RemoteConfig, SignedConfig

log = logging.getLogger(__name__)

CURRENT = "current.json"
LAST_GOOD = "last-good.json"


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

    def revert(self) -> SignedConfig | None:
        """Make the last good document current again; None if there never was one (the defaults apply)."""
        good = self.last_good()
        if good is None:
            (self.directory / CURRENT).unlink(missing_ok=True)
        else:
            self.write_current(good)
        return good

    def effective(self) -> tuple[RemoteConfig, int]:
        """The configuration to run with at start-up and its version (0 = built-in defaults)."""
        for document in (self.current(), self.last_good()):
            if document is not None:
                return RemoteConfig.model_validate(document.config), document.version
        return RemoteConfig(), 0


def _encode(document: SignedConfig) -> bytes:
    return json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=1).encode("utf-8")
