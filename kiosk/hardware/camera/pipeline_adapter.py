"""The kiosk's decode pipeline wired to OpenCV preprocessing and the decoders that won the benchmark.

Order (from `bench/qr_decode.py` on the real photos): zxing-cpp first, reporting symbols it located but could not
read; only then zxing-cpp on a CLAHE-equalised frame (glare, bright spots, dim lobbies), on an adaptive threshold
(uneven light), with its global-histogram binariser, and ZBar last (worn, damaged codes; the slowest).
OpenCV's own detectors found fewer codes than zxing-cpp at 15-20 times its cost, so they are not in the pipeline.
"""

from __future__ import annotations

import cv2

from kiosk.hardware.camera.codes import FoundCode
from kiosk.hardware.camera.decoder_adapters import zbar_decode, zxing_decode, zxing_first_pass
from kiosk.hardware.camera.pipeline import DecodePipeline, Frame, Retry


def to_grey(frame: Frame) -> Frame:
    """Camera frames are BGR; files and tests may already be grey."""
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def _clahe() -> Retry:
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
    return Retry("zxing-clahe", lambda grey: zxing_decode(clahe.apply(grey)))


def _adaptive_threshold(grey: Frame) -> list[FoundCode]:
    binary = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 31, 5)
    return zxing_decode(binary)


def build_pipeline(deadline_s: float | None = 0.030) -> DecodePipeline:
    """The pipeline the camera uses; `deadline_s=None` runs every retry on every frame (as `kiosk scan-image`)."""
    retries = [
        _clahe(),
        Retry("zxing-adaptive", _adaptive_threshold),
        Retry("zxing-histogram", lambda grey: zxing_decode(grey, histogram=True)),
        Retry("zbar", zbar_decode),
    ]
    return DecodePipeline(to_grey=to_grey, first=zxing_first_pass, retries=retries, deadline_s=deadline_s)
