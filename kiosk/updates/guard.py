"""The update guard: switches `current` between releases and takes a release that did not prove healthy back to
the previous one. Standard library only, and run by Debian's own python3 from outside every release
(`/opt/vn-hospital-kiosk/update-guard.py`, the units' `ExecStartPre=`): a release that crashes at import cannot stop
its own rollback.

State, each file written whole (temporary file, fsync, rename, fsync of the directory), so a power cut at any
instant leaves the old or the new file:
- `current` → `releases/<version>`: one symlink, replaced by rename (never missing, never half-written).
- `<state>/trial.json`: a switch on trial: the version, the one before, when it switched, how many starts so far.
  Written before `current` moves; removed when the new version commits or is rolled back.
- `<state>/outcome.json`: the last trial's end (installed, or rolled back and why), for the agent to report.

At each start of a unit the guard looks at the trial: past its deadline or its number of starts (a crash loop, a
hang the watchdog killed), it rolls back; a trial whose switch never happened (power cut before the rename) is
dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TRIAL = "trial.json"
OUTCOME = "outcome.json"
MAX_STARTS = 3  # a release that needs more starts than this to prove healthy is crash-looping


def write_json(path: Path, value: dict[str, Any]) -> None:
    """Whole or not at all (as `kiosk.remote_config.store.atomic_write`, which the guard may not import: it runs
    outside every release and imports nothing of the project)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(value, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return None  # unreadable: as if absent (written whole, so only a disk fault gets here)
    return value if isinstance(value, dict) else None


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    _sync_dir(path.parent)


def _sync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_version(root: Path) -> str | None:
    try:
        return Path(os.readlink(root / "current")).name
    except OSError:
        return None


def switch(root: Path, version: str) -> None:
    """Point `current` at `releases/<version>` in one rename."""
    link = root / f".current.{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(Path("releases") / version, link)
    os.replace(link, root / "current")
    _sync_dir(root)


def begin_trial(root: Path, state: Path, version: str, health_seconds: float) -> str:
    """Switch to `version` on trial: the trial written first, then `current` moved (a power cut between them leaves
    a trial the next start drops). Returns the release it switched from."""
    previous = current_version(root)
    if previous is None:
        raise FileNotFoundError(f"{root / 'current'} is not a release: install one first")
    write_json(state / TRIAL, {"version": version, "previous": previous, "switched_at": time.time(),
                               "health_seconds": health_seconds, "starts": 0})  # fmt: skip
    switch(root, version)
    return previous


def roll_back(root: Path, state: Path, trial: dict[str, Any], reason: str) -> None:
    """Back to the trial's previous release, the outcome written first (a power cut after it finishes the job at
    the next start: the trial is still there, and `current` already points back or is moved again)."""
    write_json(state / OUTCOME, {"version": trial["version"], "status": "rolled_back", "reason": reason[:400],
                                 "at": time.time()})  # fmt: skip
    switch(root, trial["previous"])
    remove(state / TRIAL)


def commit(state: Path, version: str) -> bool:
    """The trial of `version` ends well; False when there is no such trial (already committed or rolled back)."""
    trial = read_json(state / TRIAL)
    if trial is None or trial.get("version") != version:
        return False
    write_json(state / OUTCOME, {"version": version, "status": "installed", "reason": "", "at": time.time()})
    remove(state / TRIAL)
    return True


def guard(root: Path, state: Path, now: float) -> str:
    """What the guard did at this start: nothing, counted a start, dropped a trial, or rolled back (and why)."""
    trial = read_json(state / TRIAL)
    if trial is None:
        return "no trial"
    running = current_version(root)
    if running != trial.get("version"):
        # The switch never happened (power cut before the rename), or the rollback's switch did and its last
        # step did not: either way `current` is the release to run.
        remove(state / TRIAL)
        return f"dropped trial of {trial.get('version')}: current is {running}"
    starts = int(trial.get("starts", 0)) + 1
    deadline = float(trial["switched_at"]) + float(trial["health_seconds"])
    if starts > MAX_STARTS or now > deadline:
        why = f"started {starts - 1} times" if starts > MAX_STARTS else f"not healthy {trial['health_seconds']:.0f} s"
        roll_back(root, state, trial, f"did not prove healthy ({why}) after the switch; back on {trial['previous']}")
        return f"rolled back {trial['version']} to {trial['previous']}"
    write_json(state / TRIAL, {**trial, "starts": starts})
    return f"trial of {trial['version']}: start {starts}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="update-guard", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/opt/vn-hospital-kiosk"))
    parser.add_argument("--state", type=Path, default=Path("/var/lib/vn-hospital-kiosk/updates"))
    args = parser.parse_args(argv)
    print(f"update-guard: {guard(args.root, args.state, time.time())}", file=sys.stderr)
    return 0  # never stops the unit: whatever `current` is now is what runs


if __name__ == "__main__":
    sys.exit(main())
