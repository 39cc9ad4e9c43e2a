"""QR pictures made for the camera tests with segno and Pillow: plain, rotated, low contrast, inverted, on a frame."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import segno
from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parents[3]
# Real photos of codes (category folders of imageNNN.jpg + imageNNN.txt), when the machine has a set: not shipped.
REAL_PHOTOS = Path(os.environ.get("KIOSK_QR_PHOTOS", "/nonexistent"))

CCCD_QR = (
    "079203012345|272345678|Nguyễn Thị Ánh Tuyết|02091985|Nữ|"
    "Số 5 Đường Lê Lợi, Phường Bến Nghé, TP. Hồ Chí Minh|10082021"
)


def qr_picture(payload: str | bytes, module_px: int = 4, *, dark: int = 0, light: int = 255) -> Image.Image:
    """The QR alone with its quiet zone, grey: a full QR in byte mode holding UTF-8, as CCCD and BHYT codes are.

    Left to choose, segno picks the smallest encoding, and for some texts (e.g. `'á0'`, whose Latin-1 bytes look
    like a Shift JIS pair) that is Kanji mode, which decoders read back as other text: no card is made that way."""
    qr = segno.make_qr(payload, error="m", encoding="utf-8", mode="byte")
    assert not qr.is_micro, qr.designator
    assert qr.mode == "byte", qr.mode
    rows = np.array(list(qr.matrix_iter(scale=module_px, border=4)), dtype=bool)
    return Image.fromarray(np.where(rows, dark, light).astype(np.uint8), "L")


def on_frame(code: Image.Image, size: tuple[int, int] = (1280, 720), background: int = 140) -> Image.Image:
    """The code pasted in the middle of a camera-sized grey frame."""
    frame = Image.new("L", size, background)
    frame.paste(code, ((size[0] - code.width) // 2, (size[1] - code.height) // 2))
    return frame


def rotated(code: Image.Image, degrees: float) -> Image.Image:
    return code.rotate(degrees, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)


def inverted(code: Image.Image) -> Image.Image:
    """Light modules on dark, as phones in dark mode show it."""
    return ImageOps.invert(code)


def bgr(image: Image.Image) -> np.ndarray:
    """A Pillow image as the BGR array a camera delivers."""
    return np.asarray(image.convert("RGB"))[:, :, ::-1].copy()


def blank_frame(size: tuple[int, int] = (1280, 720)) -> np.ndarray:
    return bgr(Image.new("L", size, 120))
