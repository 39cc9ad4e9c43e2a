"""The QR camera service: capture and decoding on the camera's own thread, scans delivered to the asyncio loop.

The thread exists only between `start()` and `stop()`, so no frame is grabbed and no CPU is spent while no screen
asks for a scan. A camera that is missing or unplugged is looked for again every `retry_s` without a restart.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiosk.hardware.camera.codes import FoundCode
from kiosk.hardware.camera.pipeline import DecodePipeline
from kiosk.hardware.camera.port import (
    CameraInfo,
    CameraSettings,
    CameraStatus,
    CameraUnavailableError,
    Frame,
    FrameSource,
    PreviewFrame,
    QrScan,
)
from kiosk.hardware.camera.repeats import RecentPayloads

log = logging.getLogger(__name__)

PreviewMaker = Callable[[Frame, Sequence[FoundCode], int], PreviewFrame]
# Grabs this much faster than one frame period come from the driver's queue: stale while we were decoding.
_STALE_GRAB_FRACTION = 0.25
_MAX_STALE_SKIPS = 4


@dataclass
class ScanCounters:
    """What the worker did: for `kiosk camera check`, the benchmark and the idleness test."""

    grabbed: int = 0
    decoded: int = 0
    skipped_stale: int = 0
    reconnects: int = 0


class CameraScanner:
    """`QrScanner` over any `FrameSource` (the OpenCV capture or the fake camera)."""

    def __init__(
        self,
        source: FrameSource,
        pipeline: DecodePipeline,
        settings: CameraSettings,
        make_preview: PreviewMaker | None = None,
    ) -> None:
        self._source = source
        self._pipeline = pipeline
        self._settings = settings
        self._make_preview = make_preview
        self._repeats = RecentPayloads(settings.repeat_window_s)
        self._status = CameraStatus.IDLE
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._generation = 0  # callbacks posted by the thread of an earlier start() are ignored
        self._worker = threading.local()  # the stop event and generation of the thread reading it
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scans: asyncio.Queue[QrScan] | None = None
        self._status_changed: asyncio.Event | None = None
        self._preview: PreviewFrame | None = None
        self._last_decode_s = 0.0
        self._last_preview = 0.0
        self.info: CameraInfo | None = None  # what the device delivers, once opened
        self.counters = ScanCounters()

    @property
    def status(self) -> CameraStatus:
        return self._status

    @property
    def running(self) -> bool:
        """A thread is scanning (not merely finishing after a stop)."""
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def start(self) -> None:
        if self.running:
            return
        self._loop = asyncio.get_running_loop()
        if self._scans is None or self._status_changed is None:
            self._scans, self._status_changed = asyncio.Queue(), asyncio.Event()
        while not self._scans.empty():  # scans of an earlier screen are not this patient's
            self._scans.get_nowait()
        self._generation += 1
        self._stop = threading.Event()
        self._set_status(CameraStatus.STARTING)
        previous = self._thread if self._thread is not None and self._thread.is_alive() else None
        self._thread = threading.Thread(
            target=self._run, args=(self._stop, self._generation, previous), name="camera-worker", daemon=True
        )
        self._thread.start()

    async def stop(self) -> None:
        thread = self._thread
        self._stop.set()
        if thread is not None:
            # A grab waits at most one frame and a decode its deadline: a second is generous.
            await asyncio.to_thread(thread.join, 2.0)
            if thread.is_alive():
                log.warning("camera thread still busy after stop; the next start waits for it")
        self._preview = None
        self._status = CameraStatus.IDLE

    async def next_scan(self) -> QrScan:
        if self._scans is None:
            raise RuntimeError("start() the scanner before waiting for a scan")
        return await self._scans.get()

    async def wait_for_status(self, wanted: CameraStatus) -> None:
        """Wait until the worker reports `wanted` (used by screens and tests)."""
        while self._status != wanted:
            if self._status_changed is None:
                raise RuntimeError("start() the scanner first")
            self._status_changed.clear()
            await self._status_changed.wait()

    def preview(self) -> PreviewFrame | None:
        return self._preview

    # --- on the camera thread -----------------------------------------------------------------------------------

    def _run(self, stop: threading.Event, generation: int, previous: threading.Thread | None) -> None:
        if previous is not None:  # a stop() that timed out: never two threads on one device
            previous.join()
        self._worker.stop, self._worker.generation = stop, generation
        self._repeats.clear()  # here, not in start(): the repeat window belongs to this thread
        opened = False
        try:
            while not stop.is_set():
                if not opened:
                    opened = self._open()
                    continue
                if not self._scan_one_frame():
                    log.warning("camera stopped delivering frames; looking for it again")
                    self._source.close()
                    opened = False
                    self.counters.reconnects += 1
                    self._post_status(CameraStatus.UNAVAILABLE)
                    stop.wait(self._settings.retry_s)
        except Exception:
            log.exception("camera worker failed")
            self._post_status(CameraStatus.UNAVAILABLE)
        finally:
            if opened:
                self._source.close()

    def _open(self) -> bool:
        try:
            info = self._source.open()
        except CameraUnavailableError as error:
            log.info("camera unavailable: %s", error)
            self._post_status(CameraStatus.UNAVAILABLE)
            self._worker.stop.wait(self._settings.retry_s)
            return False
        self.info = info
        log.info("camera open: %dx%d at %.0f fps %s", info.width, info.height, info.fps, info.fourcc)
        self._post_status(CameraStatus.SCANNING)
        self._last_decode_s = 0.0
        self._last_preview = 0.0
        return True

    def _scan_one_frame(self) -> bool:
        frame_period = 1.0 / max(self._settings.fps, 1)
        for _ in range(_MAX_STALE_SKIPS + 1):
            began = time.monotonic()
            if not self._source.grab():
                return False
            self.counters.grabbed += 1
            fresh = time.monotonic() - began > _STALE_GRAB_FRACTION * frame_period
            if fresh or self._last_decode_s <= frame_period:
                break
            self.counters.skipped_stale += 1
        frame = self._source.retrieve()
        if frame is None:
            return False
        result = self._pipeline.decode(frame)
        self._last_decode_s = result.seconds
        self.counters.decoded += 1
        now = time.monotonic()
        for code in result.codes:
            if self._repeats.is_new(code.payload, now):
                self._post(functools.partial(self._deliver, QrScan(code.payload, now)))
        self._maybe_preview(frame, result.codes, now)
        return True

    def _maybe_preview(self, frame: Frame, codes: Sequence[FoundCode], now: float) -> None:
        if self._make_preview is None or now - self._last_preview < 1.0 / self._settings.preview_fps:
            return
        self._last_preview = now
        # Only the scaled picture is kept: never a full frame (it may show a patient's face or ID card).
        self._preview = self._make_preview(frame, codes, self._settings.preview_width)

    def _post_status(self, status: CameraStatus) -> None:
        self._post(functools.partial(self._set_status, status))

    def _post(self, callback: Callable[[], None]) -> None:
        loop, stop = self._loop, self._worker.stop
        if loop is None or stop.is_set():
            return
        try:
            loop.call_soon_threadsafe(self._if_current, self._worker.generation, callback)
        except RuntimeError:  # the loop closed while the thread was finishing
            stop.set()

    # --- on the loop --------------------------------------------------------------------------------------------

    def _if_current(self, generation: int, callback: Callable[[], None]) -> None:
        # Posted before a stop(), run after it (or after the next start()): news from a finished thread.
        if generation == self._generation and not self._stop.is_set():
            callback()

    def _deliver(self, scan: QrScan) -> None:
        if self._scans is not None:
            self._scans.put_nowait(scan)

    def _set_status(self, status: CameraStatus) -> None:
        self._status = status
        if self._status_changed is not None:
            self._status_changed.set()
