"""Releases of this repository built in a test: a copy of the sources with another version (and, for a broken
release, a line that crashes at import), its wheel built by pip, laid out as `scripts/build-release` lays out a
bundle. A slim bundle holds the project's wheel only: its kiosks stand on a shared base of dependencies
(`[updates] shared_base`), installed by the same code as a full release."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

from kiosk.updates.manifest import ReleaseFile, ReleaseManifest, this_platform, this_python

REPO = Path(__file__).resolve().parents[2]
CRASH = '\nraise RuntimeError("this release crashes at import")\n'


def source_copy(directory: Path, version: str, *, crash: bool = False) -> Path:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        target = directory / name.decode()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((REPO / name.decode()).read_bytes())
    project = directory / "pyproject.toml"
    text = re.sub(r'^version = ".*"$', f'version = "{version}"', project.read_text(encoding="utf-8"), count=1,
                  flags=re.MULTILINE)  # fmt: skip
    project.write_text(text, encoding="utf-8")
    if crash:
        with (directory / "kiosk" / "__init__.py").open("a", encoding="utf-8") as init:
            init.write(CRASH)
    return directory


def build_wheels(sources: list[Path], out: Path) -> None:
    """The project's wheel of each copy (pip's build environment comes from the local pip cache)."""
    for source in sources:
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--disable-pip-version-check", "-w",
             str(out), str(source)],
            check=True, capture_output=True, cwd=source,
        )  # fmt: skip


def slim_bundle(directory: Path, version: str, wheels: Path) -> Path:
    (directory / "wheels").mkdir(parents=True)
    wheel = next(wheels.glob(f"vn_hospital_kiosk-{version}-*.whl"))
    (directory / "wheels" / wheel.name).write_bytes(wheel.read_bytes())
    info = {"version": version, "platform": this_platform(), "python": this_python(),
            "requirement": f"vn-hospital-kiosk=={version}", "debian_packages": []}  # fmt: skip
    (directory / "release.json").write_text(json.dumps(info), encoding="utf-8")
    return directory


def shared_base() -> Path:
    """The test run's own site-packages: every dependency of the kiosk, for slim releases to stand on."""
    return Path(sysconfig.get_paths()["purelib"])


def base_python() -> str:
    """The interpreter the test run's venv was made from (a release's venv must match the shared base's Python)."""
    return str(Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}")


def manifest_for(version: str, files: Path, **fields: object) -> ReleaseManifest:
    """A manifest of the wheels in `files` for this machine, valid a year (fields override)."""
    entries = [
        ReleaseFile(name=p.name, sha256=hashlib.sha256(p.read_bytes()).hexdigest(), size=p.stat().st_size)
        for p in sorted(files.glob("*.whl"))
    ]
    given: dict[str, object] = {
        "version": version, "platform": this_platform(), "python": this_python(), "files": entries,
        "requirement": f"vn-hospital-kiosk=={version}", "min_config_schema": 1, "max_config_schema": 99,
        "created_at": "2026-01-01T00:00:00Z", "expires_at": "2099-01-01T00:00:00Z", **fields,
    }  # fmt: skip
    return ReleaseManifest.model_validate(given)
