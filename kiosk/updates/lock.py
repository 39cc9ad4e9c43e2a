"""The update lock: the kiosk holds it (shared) while a patient is being served, a ticket printed or the offline
journal replayed; the update agent switches releases only when it can take it exclusively. A lock on a file
(`flock`), so a process that dies lets go of it with its last file descriptor, and it works across the two units."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "update.lock"


@contextmanager
def busy(state: Path) -> Iterator[None]:
    """Held (shared: several tasks of the kiosk may hold it at once) for the time of one patient, print or replay."""
    state.mkdir(parents=True, exist_ok=True)
    fd = os.open(state / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


@contextmanager
def quiet_moment(state: Path) -> Iterator[bool]:
    """True while nobody holds the lock (and nobody can take it until the block ends); False at once otherwise."""
    state.mkdir(parents=True, exist_ok=True)
    fd = os.open(state / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    taken = True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        taken = False
    try:
        yield taken
    finally:
        os.close(fd)  # the lock goes with the descriptor


class LockHolder:
    """The kiosk's side, followed from its loop: holds the lock (shared) while `busy`, lets go when not."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def follow(self, busy: bool) -> None:
        if busy and self._fd is None:
            self.state.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.state / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while the agent switches (a rename or two)
            self._fd = fd
        elif not busy and self._fd is not None:
            os.close(self._fd)
            self._fd = None
