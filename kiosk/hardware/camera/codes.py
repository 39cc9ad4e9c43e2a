"""What a decoder found in one frame: the payload text and where the code sits (for the preview outline)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class FoundCode:
    """One QR code read from a frame; `corners` are four points in the frame's pixels (may be empty)."""

    payload: str
    corners: tuple[Point, ...] = ()
    decoder: str = ""


def payload_text(raw: bytes | str) -> str:
    """The payload as the kiosk hands it on: UTF-8 where it decodes, Latin-1 otherwise, always NFC.

    Vietnamese text on cards and phones is UTF-8; anything else is kept byte-for-byte in Latin-1 so the classifier
    can refuse it with a clear message instead of the scanner dropping it.
    """
    if isinstance(raw, str):
        return unicodedata.normalize("NFC", raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return unicodedata.normalize("NFC", text)
