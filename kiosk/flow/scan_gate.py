"""Runs the QR camera only while a screen asks for a scan: the identify step of a check-in or a benefit
lookup. Everywhere else the camera thread is stopped and the device closed, so no frame is grabbed and no CPU is
spent; a session change starts or stops it, one change at a time, on the asyncio loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from kiosk.flow.state import Session, Step
from kiosk.hardware.camera.port import QrScanner

log = logging.getLogger("kiosk.flow.scan")
# The steps whose screen asks for a QR (with the camera preview on it).
SCAN_STEPS = frozenset({Step.IDENTIFY})


class ScanGate:
    """Follows the flow's session and starts / stops `scanner`; each new payload goes to `on_scan`."""

    def __init__(self, scanner: QrScanner, on_scan: Callable[[str], None]) -> None:
        self._scanner, self._on_scan = scanner, on_scan
        self._wanted = False
        self._changed = asyncio.Event()
        self._forwarding: asyncio.Task[None] | None = None

    @property
    def scanning(self) -> bool:
        return self._forwarding is not None

    def follow(self, session: Session) -> None:
        """A session listener (`FlowService.subscribe`): called on the loop after every change."""
        wanted = session.step in SCAN_STEPS
        if wanted != self._wanted:
            self._wanted = wanted
            self._changed.set()

    async def run(self) -> None:
        """Apply the wanted state until cancelled; the camera is stopped on the way out."""
        try:
            while True:
                await self._changed.wait()
                self._changed.clear()
                if self._wanted and self._forwarding is None:
                    self._scanner.start()
                    self._forwarding = asyncio.ensure_future(self._forward())
                elif not self._wanted and self._forwarding is not None:
                    await self._stop()
        finally:
            if self._forwarding is not None:
                await asyncio.shield(self._stop())

    async def _stop(self) -> None:
        forwarding, self._forwarding = self._forwarding, None
        if forwarding is not None:
            forwarding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await forwarding
        await self._scanner.stop()

    async def _forward(self) -> None:
        while True:
            scan = await self._scanner.next_scan()
            try:
                self._on_scan(scan.payload)
            except Exception:  # a bad payload must not stop the camera for the next patient
                log.exception("a scan could not be handed to the flow")
