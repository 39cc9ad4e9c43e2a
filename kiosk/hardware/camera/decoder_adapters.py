"""The QR decoders the pipeline can use, each a thin adapter over one library, all taking a grey numpy frame.

The choice and order of decoders is made by measurement (`bench/qr_decode.py`), not here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import cv2
import numpy as np
import zxingcpp
from pyzbar import pyzbar

from kiosk.hardware.camera.codes import FoundCode, Point, payload_text
from kiosk.hardware.camera.pipeline import FirstPass

GreyFrame = np.ndarray
Decoder = Callable[[GreyFrame], list[FoundCode]]


def _qr_only() -> zxingcpp.BarcodeFormats:
    # Made per call (about a microsecond), not kept in the module: a binding object held by a module outlives
    # nanobind at exit, which then prints "leaked instance" warnings when the kiosk stops.
    return zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def _corners(points: Sequence[Sequence[float]]) -> tuple[Point, ...]:
    return tuple((float(p[0]), float(p[1])) for p in points)


def _zxing_found(result: zxingcpp.Barcode, decoder: str) -> FoundCode:
    pos = result.position
    corners = _corners([(p.x, p.y) for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)])
    # The raw bytes, not zxing's text: it may guess another charset for UTF-8 Vietnamese without an ECI.
    return FoundCode(payload_text(bytes(result.bytes)), corners, decoder)


def zxing_decode(grey: GreyFrame, *, histogram: bool = False) -> list[FoundCode]:
    """zxing-cpp with its rotated, downscaled and inverted retries; `histogram` uses the global binariser."""
    binarizer = zxingcpp.Binarizer.GlobalHistogram if histogram else zxingcpp.Binarizer.LocalAverage
    results = zxingcpp.read_barcodes(grey, formats=_qr_only(), binarizer=binarizer)
    return [_zxing_found(r, "zxing-histogram" if histogram else "zxing") for r in results]


def zxing_first_pass(grey: GreyFrame, *, quick: bool = False) -> FirstPass:
    """zxing-cpp, also reporting symbols it located but could not decode: the hint that retries may pay off.

    `quick` skips the rotated and inverted searches (for a second look at a preprocessed frame).
    """
    results = zxingcpp.read_barcodes(
        grey, formats=_qr_only(), try_rotate=not quick, try_invert=not quick, return_errors=True
    )
    codes = [_zxing_found(r, "zxing") for r in results if r.valid]
    return FirstPass(codes, unread_symbol=any(not r.valid for r in results))


def zbar_decode(grey: GreyFrame) -> list[FoundCode]:
    """ZBar through pyzbar."""
    results = pyzbar.decode(grey, symbols=[pyzbar.ZBarSymbol.QRCODE])
    return [FoundCode(payload_text(r.data), _corners(r.polygon), "zbar") for r in results]


def _opencv_decode(
    detector: cv2.QRCodeDetector | cv2.QRCodeDetectorAruco, grey: GreyFrame, name: str
) -> list[FoundCode]:
    ok, texts, points, _ = detector.detectAndDecodeMulti(grey)
    if ok and points is not None:
        found = [FoundCode(payload_text(t), _corners(q), name) for t, q in zip(texts, points, strict=False) if t]
        if found:
            return found
    # The multi-code search misses some single codes that the one-code search reads (OpenCV 5.0).
    text, quad, _ = detector.detectAndDecode(grey)
    return [FoundCode(payload_text(text), _corners(quad[0]), name)] if text and quad is not None else []


def opencv_decoder() -> Decoder:
    """OpenCV's classic QRCodeDetector (one instance per thread: the detector keeps state)."""
    detector = cv2.QRCodeDetector()
    return lambda grey: _opencv_decode(detector, grey, "opencv")


def opencv_aruco_decoder() -> Decoder:
    """OpenCV's QRCodeDetectorAruco (finder patterns found with the ArUco machinery)."""
    detector = cv2.QRCodeDetectorAruco()
    return lambda grey: _opencv_decode(detector, grey, "opencv-aruco")


def single_decoders() -> dict[str, Decoder]:
    """Every decoder alone, as the benchmark compares them."""
    return {
        "zxing": zxing_decode,
        "zbar": zbar_decode,
        "opencv": opencv_decoder(),
        "opencv-aruco": opencv_aruco_decoder(),
    }
