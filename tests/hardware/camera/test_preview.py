"""The preview picture: scaled, RGB, with the found code outlined where it is."""

from __future__ import annotations

import numpy as np

from kiosk.hardware.camera.pipeline_adapter import build_pipeline
from kiosk.hardware.camera.preview_adapter import make_preview
from tests.hardware.camera.qr_images import CCCD_QR, bgr, on_frame, qr_picture


def test_preview_is_small_and_outlines_the_code_in_green() -> None:
    frame = bgr(on_frame(qr_picture(CCCD_QR)))
    codes = build_pipeline().decode(frame).codes
    preview = make_preview(frame, codes, 320)
    assert (preview.width, preview.height) == (320, 180)
    pixels = np.frombuffer(preview.rgb, np.uint8).reshape(preview.height, preview.width, 3)
    (outline,) = preview.outlines
    xs = [x for x, _ in outline]
    ys = [y for _, y in outline]
    # The code sits in the middle of the frame: its outline too, at a quarter of the size.
    assert 100 < min(xs) < max(xs) < 220
    assert 40 < min(ys) < max(ys) < 140
    x, y = round(min(xs)), round((min(ys) + max(ys)) / 2)
    assert tuple(pixels[y, x]) == (0, 200, 0)
    green = (pixels[:, :, 1] == 200) & (pixels[:, :, 0] == 0)
    assert green.sum() > 200


def test_preview_without_codes_has_no_outline() -> None:
    frame = bgr(on_frame(qr_picture("x")))
    preview = make_preview(frame, [], 160)
    assert preview.outlines == ()
    assert len(preview.rgb) == 160 * 90 * 3
