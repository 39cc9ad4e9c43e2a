"""`kiosk outage` as a user runs it: a real process, the embedded hub cut off and back, pictures of the paper."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hub.servers import REPO

pytestmark = pytest.mark.slow


def test_the_outage_scenario_prints_a_provisional_ticket_and_replays_it(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "outage", "--pictures", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout)
    assert report["offline_printed_provisional"] == [False, True]
    assert report["during_outage"] == {"hub": "open", "journal": 1}
    assert report["replayed"] == 1
    assert report["after"] == {"hub": "closed", "journal": 0}
    assert report["offline_check_in_s"] < 1.0
    assert len(list(tmp_path.glob("*.png"))) == 2
    assert b"Traceback" not in done.stderr
