"""The real camera through OpenCV's VideoCapture: a /dev/video path or index, or a video file / `frames_%03d.png`.

Files play as fast as they are read, so they are paced to the configured fps (a USB camera paces itself) and loop
at the end, which makes a recorded clip a usable camera for the demo.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2

from kiosk.hardware.camera.fake_camera import FakeCamera
from kiosk.hardware.camera.pipeline_adapter import build_pipeline
from kiosk.hardware.camera.port import CameraInfo, CameraSettings, CameraUnavailableError, Frame, FrameSource
from kiosk.hardware.camera.preview_adapter import make_preview
from kiosk.hardware.camera.scanner import CameraScanner
from kiosk.hardware.virtual import is_virtual

# OpenCV prints a warning to stderr on every failed open; the scanner logs "unavailable" itself, once per attempt.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


def _is_device(device: str | int) -> bool:
    return isinstance(device, int) or str(device).startswith("/dev/") or str(device).isdigit()


class OpenCvCamera:
    """`FrameSource` over cv2.VideoCapture. Used only from the camera thread."""

    def __init__(self, settings: CameraSettings) -> None:
        self._settings = settings
        self._capture: cv2.VideoCapture | None = None
        self._paced = not _is_device(settings.device)
        self._next_frame_at = 0.0

    def open(self) -> CameraInfo:
        device = self._settings.device
        if _is_device(device):
            target: str | int = int(device) if str(device).isdigit() else device
            capture = cv2.VideoCapture(target, cv2.CAP_V4L2)
        else:
            if "%" not in str(device) and not Path(str(device)).exists():
                raise CameraUnavailableError(f"no such file: {device}")
            capture = cv2.VideoCapture(str(device))
        if not capture.isOpened():  # VideoCapture does not raise when there is no camera
            capture.release()
            raise CameraUnavailableError(f"cannot open camera {device!r}")
        if not self._paced:
            # MJPG lets a USB 2 camera deliver 1280x720 at 30 fps; drivers ignore what they do not offer.
            capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._settings.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._settings.height)
            capture.set(cv2.CAP_PROP_FPS, self._settings.fps)
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._capture = capture
        self._next_frame_at = time.monotonic()
        return CameraInfo(
            width=int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            height=int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            fps=float(capture.get(cv2.CAP_PROP_FPS)) or float(self._settings.fps),
            fourcc=_fourcc_text(capture.get(cv2.CAP_PROP_FOURCC)),
        )

    def grab(self) -> bool:
        if self._capture is None:
            return False
        if self._paced:
            self._pace()
        if self._capture.grab():
            return True
        if self._paced:  # end of the clip: play it again
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            return self._capture.grab()
        return False

    def retrieve(self) -> Frame | None:
        if self._capture is None:
            return None
        ok, frame = self._capture.retrieve()
        return frame if ok else None

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def _pace(self) -> None:
        period = 1.0 / max(self._settings.fps, 1)
        now = time.monotonic()
        if self._next_frame_at > now:
            time.sleep(self._next_frame_at - now)
        self._next_frame_at = max(self._next_frame_at + period, now)


def _fourcc_text(value: float) -> str:
    code = int(value)
    text = "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4))
    return text if text.isprintable() else ""


def read_image(path: Path) -> Frame | None:
    """An image file as a BGR frame, or None when it is not an image OpenCV can read."""
    return cv2.imread(str(path), cv2.IMREAD_COLOR)


def read_video_frames(path: Path, max_frames: int) -> list[Frame]:
    """Up to `max_frames` frames of a video file or image sequence (for the fake camera)."""
    capture = cv2.VideoCapture(str(path))
    frames: list[Frame] = []
    try:
        while len(frames) < max_frames:
            ok, frame = capture.read()
            if not ok:
                break
            frames.append(frame)
    finally:
        capture.release()
    return frames


def build_camera_scanner(settings: CameraSettings) -> CameraScanner:
    """A QR camera for the configured device; `VIRTUAL` is the demo's fake camera (a card held up now and then)."""
    virtual = is_virtual(str(settings.device))
    source: FrameSource = FakeCamera.demo() if virtual else OpenCvCamera(settings)
    return CameraScanner(source, build_pipeline(settings.decode_deadline_s), settings, make_preview=make_preview)
