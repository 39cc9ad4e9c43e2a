"""The camera port: what the check-in flow and the scan screen may ask of the QR camera, and what a camera device is.

`QrScanner` is what the rest of the kiosk sees; `FrameSource` is the small surface both the OpenCV capture and the
fake camera implement, so one scanner code path drives either.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from kiosk.hardware.camera.codes import Point

Frame = np.ndarray


class CameraStatus(enum.StrEnum):
    """Where the QR camera stands; screens react to these, not to strings."""

    IDLE = "idle"  # no screen asks for a scan: the device is closed and no thread runs
    STARTING = "starting"
    SCANNING = "scanning"
    UNAVAILABLE = "unavailable"  # no camera, or it was unplugged: retried while a scan is asked for


class CameraUnavailableError(Exception):
    """The camera could not be opened or stopped delivering frames."""


@dataclass(frozen=True, slots=True)
class CameraSettings:
    """Camera configuration (validated by the kiosk config; these are the defaults)."""

    device: str | int = 0  # a /dev/video path, an index, or (for the demo) a video file or frames_%03d.png
    width: int = 1280
    height: int = 720
    fps: int = 30
    repeat_window_s: float = 3.0  # the same payload within this window is one scan
    decode_deadline_s: float = 0.030
    preview_fps: float = 5.0
    preview_width: int = 320
    retry_s: float = 1.0  # how often a missing camera is looked for while a scan is asked for


@dataclass(frozen=True, slots=True)
class CameraInfo:
    """What the opened device actually delivers (drivers may ignore the requested mode)."""

    width: int
    height: int
    fps: float
    fourcc: str = ""


@dataclass(frozen=True, slots=True)
class QrScan:
    """One scan: a payload seen for the first time within the repeat window. Hand it to the domain classifier."""

    payload: str
    seen_at: float  # time.monotonic()


@dataclass(frozen=True, slots=True)
class PreviewFrame:
    """A small RGB picture for the scan screen, with found codes already outlined."""

    width: int
    height: int
    rgb: bytes
    outlines: tuple[tuple[Point, ...], ...] = ()


class FrameSource(Protocol):
    """A camera device: opened only while scanning, read on the camera's own thread."""

    def open(self) -> CameraInfo:
        """Open the device; raises CameraUnavailableError."""
        ...

    def grab(self) -> bool:
        """Wait for the next frame; False when the device is gone."""
        ...

    def retrieve(self) -> Frame | None:
        """The frame last grabbed (decoded only when the scanner wants it)."""
        ...

    def close(self) -> None: ...


class QrScanner(Protocol):
    """The QR camera as the kiosk uses it. `start`/`stop` are called on the asyncio loop."""

    @property
    def status(self) -> CameraStatus: ...

    def start(self) -> None:
        """A screen asks for a scan: open the camera on its own thread."""
        ...

    async def stop(self) -> None:
        """The screen is left: stop the thread and close the device."""
        ...

    async def next_scan(self) -> QrScan:
        """The next new payload."""
        ...

    def preview(self) -> PreviewFrame | None:
        """The latest preview picture, if any."""
        ...
