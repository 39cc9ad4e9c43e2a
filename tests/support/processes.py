"""Stopping a server a test started, by its PID: a polite signal first, then SIGKILL if it does not go."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess


def stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM (if it still runs), wait up to `timeout`, then SIGKILL; reaped either way. A process that exits (and
    is reaped by a thread that watches it) between the check and the signal is simply gone."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
