"""A fake camera for tests and the demo: frames from images in memory or files, with a fault switch.

Like a real camera it delivers frames at its own pace whether or not anyone keeps up, so frames pass while the
scanner decodes; `unplug()` / `replug()` play the USB cable being pulled and put back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from kiosk.hardware.camera.port import CameraInfo, CameraUnavailableError, Frame


class FakeCamera:
    """`FrameSource` playing `frames` in a loop at `fps`. Thread-safe fault switches."""

    def __init__(self, frames: Sequence[Frame], fps: float = 15.0, *, plugged_in: bool = True) -> None:
        if not frames:
            raise ValueError("a fake camera needs at least one frame")
        self._frames = list(frames)
        self._fps = fps
        self._plugged_in = threading.Event()
        if plugged_in:
            self._plugged_in.set()
        self._opened_at: float | None = None
        self._index = -1
        self.grabs = 0
        self.opens = 0

    @classmethod
    def from_files(cls, paths: Sequence[Path], fps: float = 15.0) -> FakeCamera:
        """Frames from image files (any format Pillow reads), e.g. a photo sequence of a card being held up."""
        return cls([np.asarray(Image.open(p).convert("RGB"))[:, :, ::-1].copy() for p in paths], fps)

    def unplug(self) -> None:
        self._plugged_in.clear()

    def replug(self) -> None:
        self._plugged_in.set()

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def open(self) -> CameraInfo:
        if not self._plugged_in.is_set():
            raise CameraUnavailableError("fake camera unplugged")
        self.opens += 1
        self._opened_at = time.monotonic()
        self._index = -1
        height, width = self._frames[0].shape[:2]
        return CameraInfo(width, height, self._fps, "FAKE")

    def grab(self) -> bool:
        if self._opened_at is None or not self._plugged_in.is_set():
            return False
        # The frame on the "sensor" now; frames that passed while nobody grabbed are gone, as on a real camera.
        due = int((time.monotonic() - self._opened_at) * self._fps)
        if due <= self._index:
            time.sleep(max(0.0, (self._index + 1) / self._fps - (time.monotonic() - self._opened_at)))
            due = self._index + 1
        self._index = due
        self.grabs += 1
        return self._plugged_in.is_set()

    def retrieve(self) -> Frame | None:
        if self._opened_at is None:
            return None
        return self._frames[self._index % len(self._frames)]

    def close(self) -> None:
        self._opened_at = None
