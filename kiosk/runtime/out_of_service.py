"""`kiosk run` when the kiosk must not (or cannot yet) serve patients: the out-of-service panel stays up, systemd
hears READY=1 and watchdog pings (the process is healthy in its refusal, so it is not restarted in a loop), one log
line says each new reason, and a background task works at getting back into service. Once it has, the process ends
with RESTART_EXIT_CODE and systemd starts the kiosk again, into service (Kivy allows one app per process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.out_of_service import OutOfService
from kiosk.runtime.fleet import RESTART_EXIT_CODE

log = logging.getLogger("kiosk.run")


class Board:
    """The reason on the panel. A reason or kind of detail that changes is logged once; the same again is not."""

    def __init__(self, kiosk_name: str, reason: OutOfService, detail: str = "") -> None:
        self.kiosk_name = kiosk_name
        self.reason, self.detail = reason, detail
        self.on_change: Callable[[OutOfService, str], None] = lambda _reason, _detail: None
        self._log(reason, detail)

    def say(self, reason: OutOfService, detail: str = "") -> None:
        if (reason, detail) == (self.reason, self.detail):
            return
        self.reason, self.detail = reason, detail
        self._log(reason, detail)
        self.on_change(reason, detail)

    @staticmethod
    def _log(reason: OutOfService, detail: str) -> None:
        log.warning("out of service: %s%s", reason.value, f" ({detail})" if detail else "")


@dataclass
class Backoff:
    """Waits that double from `first` up to `cap` seconds, each with up to a fifth of jitter (many kiosks that
    lost the hub together do not come back in step)."""

    first: float = 5.0
    cap: float = 300.0
    _next: float = 0.0

    def delay(self) -> float:
        self._next = self.first if self._next == 0 else min(self.cap, self._next * 2)
        return self._next * (1 - random.random() / 5)  # noqa: S311 - spreading retries, not secrecy


def changed(paths: list[Path]) -> Callable[[], bool]:
    """True once any of these files was written, created or removed since this was called (IT ran `kiosk enrol`
    or edited the settings): then a fresh start reads them."""

    def stamp(path: Path) -> tuple[int, int] | None:
        try:
            status = path.stat()
        except OSError:
            return None
        return (status.st_mtime_ns, status.st_ino)

    first = [stamp(path) for path in paths]
    return lambda: [stamp(path) for path in paths] != first


async def wait_for(condition: Callable[[], bool], every_s: float = 2.0) -> None:
    """Until `condition()` (a file IT writes: polled, there is no event to wait on)."""
    while not condition():  # noqa: ASYNC110 - polling a file's stamp
        await asyncio.sleep(every_s)


Recovery = Callable[[Board], Awaitable[None]]  # returns once the kiosk may go (back) into service


async def show_out_of_service(board: Board, recover: Recovery) -> int:
    """The out-of-service app until `recover` returns (→ RESTART_EXIT_CODE) or the app is closed (→ 0)."""
    from kiosk.app import full_screen_again
    from kiosk.runtime.background import tell_systemd
    from kiosk.screens.out_of_service import OutOfServiceApp

    app = OutOfServiceApp(board.reason, board.kiosk_name, board.detail)
    board.on_change = lambda reason, detail: app.show(reason, board.kiosk_name, detail)
    stop = asyncio.Event()
    outcome = 0

    async def recovering() -> None:
        nonlocal outcome
        await recover(board)
        outcome = RESTART_EXIT_CODE
        log.info("back into service: starting again")
        app.stop()

    full_screen_again()
    tasks = [asyncio.ensure_future(tell_systemd(stop)), asyncio.ensure_future(recovering())]
    try:
        await app.async_run(async_lib="asyncio")
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return outcome
