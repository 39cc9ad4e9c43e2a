"""Installs a downloaded, verified release side by side: its own virtualenv `releases/<version>/` made from the
kiosk's Python, the wheels installed offline (`pip --no-index`); the running release is never touched. A release
is ready only once its `.installed` marker is written last: a directory without it (a power cut mid-install) is
removed and made again."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kiosk.updates import guard
from kiosk.updates.manifest import ReleaseManifest, ReleaseRefusedError

INSTALLED = ".installed"
# An installed release takes about three times its wheels' size (unpacked, bytecode), and the venv's pip ~15 MB.
INSTALL_FACTOR = 3
VENV_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Layout:
    """Where releases live (`root`, with `current`) and where the agent keeps its state (`state`)."""

    root: Path = Path("/opt/vn-hospital-kiosk")
    state: Path = Path("/var/lib/vn-hospital-kiosk/updates")
    python: str = "/usr/bin/python3"  # the kiosk's Python, that every release's virtualenv is made from
    # Only for slim releases (tests, benches): the site-packages a release of the project wheel alone stands on.
    shared_base: Path | None = None

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    def downloads(self, version: str) -> Path:
        return self.state / "downloads" / version

    def release(self, version: str) -> Path:
        return self.releases / version


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def install(layout: Layout, manifest: ReleaseManifest, files: Path, min_free_bytes: int = 0) -> Path:
    """`releases/<version>/`, installed (again, if a power cut left it half made); ReleaseRefusedError when there
    is not room for it (checked before anything is written) or pip fails."""
    target = layout.release(manifest.version)
    if (target / INSTALLED).exists():
        return target
    if guard.current_version(layout.root) == manifest.version:
        raise ReleaseRefusedError("already_running", manifest.version)  # never rebuild what runs
    layout.releases.mkdir(parents=True, exist_ok=True)
    needed = manifest.total_size() * INSTALL_FACTOR + VENV_BYTES + min_free_bytes
    free = free_bytes(layout.releases)
    if free < needed:
        raise ReleaseRefusedError("disk_full", f"install needs {needed} bytes, {free} free")
    shutil.rmtree(target, ignore_errors=True)
    try:
        _run([layout.python, "-m", "venv", str(target)], "venv")
        if layout.shared_base is not None:
            site = next(target.glob("lib/python3*/site-packages"))
            (site / "_shared_base.pth").write_text(f"{layout.shared_base}\n", encoding="utf-8")
        pip = [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--no-index", "--find-links", str(files), manifest.requirement]  # fmt: skip
        _run(pip, "pip")
    except ReleaseRefusedError:
        shutil.rmtree(target, ignore_errors=True)
        raise
    guard.write_json(target / INSTALLED, {"version": manifest.version})
    return target


def _run(command: list[str], step: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise ReleaseRefusedError("install_failed", f"{step}: {' | '.join(tail)[:300]}")


def prune(layout: Layout, keep: set[str]) -> None:
    """Remove releases other than `keep` (the running one and the one before: a rollback needs it on disk)."""
    if not layout.releases.exists():
        return
    for path in layout.releases.iterdir():
        if path.is_dir() and path.name not in keep and not path.name.startswith("."):
            shutil.rmtree(path, ignore_errors=True)
