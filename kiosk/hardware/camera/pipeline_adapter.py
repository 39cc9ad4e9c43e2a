"""The kiosk's decode pipeline wired to OpenCV preprocessing and the decoders that won the benchmark.

Chosen with `bench/qr_decode.py` on the real photos (see the module docstring there for the command):
- first zxing-cpp on the grey frame (the most codes of any decoder alone, at ~2 ms), reporting symbols it located
  but could not read; when it saw nothing at all, one more look on a half-size CLAHE-equalised frame (~1.6 ms,
  finds symbols lost in glare or shadow; never fired on empty frames);
- only when a symbol was seen, retries in order of codes gained per millisecond: zxing-cpp on a CLAHE frame (glare,
  bright spots), with its global-histogram binariser, on a sharpened frame (blur), on a 1.5x frame (small codes),
  and ZBar last (worn, damaged codes; ~25 ms).
OpenCV's own detectors found fewer codes than zxing-cpp at 15-20 times its cost and added none in the union.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2

from kiosk.hardware.camera.codes import FoundCode
from kiosk.hardware.camera.decoder_adapters import zbar_decode, zxing_decode, zxing_first_pass
from kiosk.hardware.camera.pipeline import DecodePipeline, FirstPass, Frame, Retry

_CLAHE_CLIP = 4.0


def to_grey(frame: Frame) -> Frame:
    """Camera frames are BGR; files and tests may already be grey."""
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def _rescaled(codes: list[FoundCode], factor: float) -> list[FoundCode]:
    """Corners found on a resized frame, back in the camera frame's pixels."""
    return [FoundCode(c.payload, tuple((x / factor, y / factor) for x, y in c.corners), c.decoder) for c in codes]


def _first_pass() -> Callable[[Frame], FirstPass]:
    clahe = cv2.createCLAHE(clipLimit=_CLAHE_CLIP, tileGridSize=(8, 8))

    def first(grey: Frame) -> FirstPass:
        seen = zxing_first_pass(grey)
        if seen.codes or seen.unread_symbol:
            return seen
        small = cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        second = zxing_first_pass(clahe.apply(small), quick=True)
        return FirstPass(_rescaled(second.codes, 0.5), bool(second.codes) or second.unread_symbol)

    return first


def _clahe() -> Retry:
    clahe = cv2.createCLAHE(clipLimit=_CLAHE_CLIP, tileGridSize=(8, 8))
    return Retry("zxing-clahe", lambda grey: zxing_decode(clahe.apply(grey)))


def _sharpened(grey: Frame) -> list[FoundCode]:
    blurred = cv2.GaussianBlur(grey, (0, 0), 3)
    return zxing_decode(cv2.addWeighted(grey, 1.8, blurred, -0.8, 0))


def _upscaled(grey: Frame) -> list[FoundCode]:
    return _rescaled(zxing_decode(cv2.resize(grey, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)), 1.5)


def build_pipeline(deadline_s: float | None = 0.030) -> DecodePipeline:
    """The pipeline the camera uses; `deadline_s=None` runs every retry on every frame (as `kiosk scan-image`)."""
    retries = [
        _clahe(),
        Retry("zxing-histogram", lambda grey: zxing_decode(grey, histogram=True)),
        Retry("zxing-sharpened", _sharpened),
        Retry("zxing-upscaled", _upscaled),
        Retry("zbar", zbar_decode),
    ]
    return DecodePipeline(to_grey=to_grey, first=_first_pass(), retries=retries, deadline_s=deadline_s)
