"""A power cut at any moment of a switch, a commit or a rollback leaves a kiosk that starts a whole release: a
process doing them in a loop is killed (SIGKILL) at spread-out moments, then the guard runs as at the next boot;
and each state a cut between two steps can leave is started from explicitly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.updates import guard

REPO = Path(__file__).resolve().parents[2]
A, B = "0.1.0", "0.2.0"
# Switches back and forth for ever, as agent and guard do: trial + switch, a start, then commit or roll back.
SWITCHER = """
import sys, time
from pathlib import Path
from kiosk.updates import guard
root, state = Path(sys.argv[1]), Path(sys.argv[2])
print("switching", flush=True)
n = 0
while True:
    target = "0.2.0" if guard.current_version(root) == "0.1.0" else "0.1.0"
    guard.begin_trial(root, state, target, 60)
    guard.guard(root, state, time.time())
    trial = guard.read_json(state / guard.TRIAL)
    if n % 2:
        guard.commit(state, target)
    elif trial is not None:
        guard.roll_back(root, state, trial, "test")
    n += 1
"""


def _kiosk(tmp_path: Path) -> tuple[Path, Path]:
    root, state = tmp_path / "opt", tmp_path / "state"
    for version in (A, B):
        (root / "releases" / version / "bin").mkdir(parents=True)
    state.mkdir()
    guard.switch(root, A)
    return root, state


def assert_starts_a_whole_release(root: Path, state: Path) -> None:
    said = guard.guard(root, state, time.time())  # the next boot
    running = guard.current_version(root)
    assert running in (A, B), said
    assert (root / "current" / "bin").is_dir()  # the link resolves to a whole release
    trial = guard.read_json(state / guard.TRIAL)
    assert trial is None or (trial["version"] == running and trial["previous"] in (A, B)), (said, trial)


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.02, 0.05, 0.09, 0.13, 0.21, 0.34, 0.55])
def test_a_sigkill_at_any_moment_leaves_a_release_to_start(tmp_path: Path, delay: float) -> None:
    root, state = _kiosk(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", SWITCHER, str(root), str(state)], cwd=REPO,
                            stdout=subprocess.PIPE, env={**os.environ})  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"switching\n"
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert_starts_a_whole_release(root, state)


def test_cut_after_the_trial_was_written_before_the_switch(tmp_path: Path) -> None:
    root, state = _kiosk(tmp_path)
    guard.write_json(state / guard.TRIAL, {"version": B, "previous": A, "switched_at": time.time(),
                                           "health_seconds": 60, "starts": 0})  # fmt: skip
    assert guard.guard(root, state, time.time()).startswith(f"dropped trial of {B}")
    assert guard.current_version(root) == A
    assert guard.read_json(state / guard.TRIAL) is None


def test_cut_right_after_the_switch_counts_a_start_of_the_new_release(tmp_path: Path) -> None:
    root, state = _kiosk(tmp_path)
    guard.begin_trial(root, state, B, 60)
    assert guard.guard(root, state, time.time()) == f"trial of {B}: start 1"
    assert guard.current_version(root) == B


def test_cut_in_a_rollback_after_its_outcome_was_written_finishes_it(tmp_path: Path) -> None:
    root, state = _kiosk(tmp_path)
    guard.begin_trial(root, state, B, 60)
    trial = guard.read_json(state / guard.TRIAL)
    assert trial is not None
    guard.write_json(state / guard.OUTCOME, {"version": B, "status": "rolled_back", "reason": "x", "at": 0})
    # ... the power went before `current` moved back. At the next boot, past the trial's deadline:
    assert guard.guard(root, state, time.time() + 120) == f"rolled back {B} to {A}"
    assert guard.current_version(root) == A
    assert (guard.read_json(state / guard.OUTCOME) or {})["status"] == "rolled_back"


def test_a_release_that_keeps_crashing_is_rolled_back_at_its_fourth_start(tmp_path: Path) -> None:
    root, state = _kiosk(tmp_path)
    guard.begin_trial(root, state, B, 600)
    said = [guard.guard(root, state, time.time()) for _ in range(guard.MAX_STARTS + 1)]
    assert said[-1] == f"rolled back {B} to {A}"
    assert guard.current_version(root) == A
    assert "started 3 times" in (guard.read_json(state / guard.OUTCOME) or {})["reason"]
