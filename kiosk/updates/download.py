"""Downloads a release's files from the hub in the background: resumed where it stopped (HTTP Range on the
`.part` file kept on disk), under a bandwidth cap (the lobby's network is the hospital's, shared with the HIS), each
file checked against its manifest's size and sha256 before it takes its name."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from kiosk.updates.manifest import ReleaseFile, ReleaseManifest, ReleaseRefusedError

CHUNK = 64 * 1024


@dataclass
class Throttle:
    """At most `bytes_per_second` on average (0: no cap), by sleeping after each chunk that ran ahead."""

    bytes_per_second: int
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _started: float | None = None
    _sent: int = 0

    def took(self, size: int) -> None:
        if self.bytes_per_second <= 0:
            return
        now = self.clock()
        if self._started is None:
            self._started = now
        self._sent += size
        ahead = self._sent / self.bytes_per_second - (now - self._started)
        if ahead > 0:
            self.sleep(ahead)


def _hash_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_file(http: httpx.Client, url: str, entry: ReleaseFile, directory: Path, throttle: Throttle) -> int:
    """`directory/<name>`, verified; returns the bytes this call downloaded (0 when it was already here)."""
    final = directory / entry.name
    if final.exists() and final.stat().st_size == entry.size and _hash_of(final) == entry.sha256:
        return 0
    part = directory / f"{entry.name}.part"
    have = part.stat().st_size if part.exists() else 0
    if have > entry.size:
        part.unlink()
        have = 0
    got = 0
    if have < entry.size:
        headers = {"Range": f"bytes={have}-"} if have else {}
        with http.stream("GET", url, headers=headers) as response:
            if response.status_code == 416 or response.status_code >= 400:
                raise ReleaseRefusedError("download_failed", f"{entry.name}: HTTP {response.status_code}")
            if have and response.status_code != 206:
                have = 0  # the server sent the whole file: start over
            with part.open("r+b" if have else "wb") as out:
                out.seek(have)
                out.truncate()
                for chunk in response.iter_bytes(CHUNK):
                    out.write(chunk)
                    got += len(chunk)
                    throttle.took(len(chunk))
                    if have + got > entry.size:
                        break
                out.flush()
                os.fsync(out.fileno())
    if part.stat().st_size != entry.size or _hash_of(part) != entry.sha256:
        part.unlink()  # a wrong file is not resumed: the next attempt starts from nothing
        raise ReleaseRefusedError("bad_hash", entry.name)
    os.replace(part, final)
    return got


def fetch_release(http: httpx.Client, manifest: ReleaseManifest, directory: Path, throttle: Throttle) -> int:
    """Every file of the release into `directory` (kept across restarts); the bytes downloaded by this call."""
    directory.mkdir(parents=True, exist_ok=True)
    needed = manifest.total_size() - sum(
        (directory / f.name).stat().st_size for f in manifest.files if (directory / f.name).exists()
    )
    free = os.statvfs(directory).f_bavail * os.statvfs(directory).f_frsize
    if needed > free:
        raise ReleaseRefusedError("disk_full", f"download needs {needed} bytes, {free} free")
    total = 0
    for entry in manifest.files:
        total += fetch_file(http, f"/fleet/v1/releases/{manifest.version}/files/{entry.name}", entry, directory,
                            throttle)  # fmt: skip
    return total
