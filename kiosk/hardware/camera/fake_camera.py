"""A fake camera for tests and the demo: frames from images in memory or files, with a fault switch.

Like a real camera it delivers frames at its own pace whether or not anyone keeps up, so frames pass while the
scanner decodes; `unplug()` / `replug()` play the USB cable being pulled and put back.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from kiosk.hardware.camera import synthetic_scenes
from kiosk.hardware.camera.port import CameraInfo, CameraUnavailableError, Frame


def _bgr(image: Image.Image) -> Frame:
    return np.asarray(image.convert("RGB"))[:, :, ::-1].copy()


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
    def from_video(cls, path: Path, fps: float = 15.0, max_frames: int = 300) -> FakeCamera:
        """Frames of a video file or `frames_%03d.png` sequence, held in memory so faults can be scripted."""
        from kiosk.hardware.camera.capture_adapter import read_video_frames  # OpenCV only when asked for

        return cls(read_video_frames(path, max_frames), fps)

    @classmethod
    def demo(cls, fps: float = 15.0, seed: int = 1) -> FakeCamera:
        """The demo's camera: empty lobby, a CCCD card held up, empty again, a phone showing an appointment."""
        rng = random.Random(seed)  # noqa: S311 - reproducible demo pictures, not secrets
        empty = _bgr(synthetic_scenes.empty_scene(rng))
        card = _bgr(synthetic_scenes.card_scene(synthetic_scenes.cccd_payload(rng), rng, skew=30))
        phone = _bgr(synthetic_scenes.SCENES["gen_phone_moire"](rng).image)
        seconds = [(empty, 2.0), (card, 3.0), (empty, 2.0), (phone, 3.0)]
        return cls([frame for frame, length in seconds for _ in range(round(length * fps))], fps)

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
