"""The printable pieces a ticket is made of, shared by the PNG preview and the ESC/POS encoder.

A ticket is a vertical stack of blocks. Text lines are 1-bit images drawn with the bundled font (exact Vietnamese on
any printer); the queue number stays native enlarged text and the QR a native code when the printer can, because
both are far smaller on the wire than their pictures.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from PIL import Image


class PaperWidth(IntEnum):
    """Printable width in dots at 203 dpi (8 dots per mm)."""

    MM58 = 384
    MM80 = 576

    @classmethod
    def from_mm(cls, mm: int) -> PaperWidth:
        return {58: cls.MM58, 80: cls.MM80}[mm]

    @property
    def mm(self) -> int:
        return 58 if self is PaperWidth.MM58 else 80


class QrMode(StrEnum):
    """How the printer gets the QR: its own `GS ( k` generator, or a raster picture for printers without one."""

    NATIVE = "native"
    IMAGE = "image"


class ConfirmWith(StrEnum):
    """How the kiosk learns that a job came out.

    `gs_r` (the default): `GS r 1` after the job, which an Epson-style printer answers only once everything before
    it is printed, so paper running out mid-ticket is caught. `status_only`: for printers that never answer `GS r`
    (they would otherwise always be "not confirmed"): real-time status after the job is sent; that proves the printer
    is alive and has paper at that moment, not that the last line came out.
    """

    GS_R = "gs_r"
    STATUS_ONLY = "status_only"


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    """What differs between the printers a hospital owns; chosen per kiosk in configuration."""

    paper: PaperWidth = PaperWidth.MM80
    qr_mode: QrMode = QrMode.NATIVE
    cutter: bool = True
    confirm_with: ConfirmWith = ConfirmWith.GS_R


@dataclass(frozen=True, slots=True)
class RasterBlock:
    """A strip of pixels (mode "1", black = ink), at the paper's left edge or centred by the printer."""

    image: Image.Image
    centered: bool = False


@dataclass(frozen=True, slots=True)
class NumberBlock:
    """The queue number in the printer's own font, magnified `scale` times (1–8) and centred."""

    text: str
    scale: int


@dataclass(frozen=True, slots=True)
class QrBlock:
    """A QR code centred on the paper; `module_dots` is the size of one QR module in printer dots (1–16)."""

    payload: str
    module_dots: int


@dataclass(frozen=True, slots=True)
class FeedBlock:
    """Blank paper, in dots."""

    dots: int


Block = RasterBlock | NumberBlock | QrBlock | FeedBlock

# The printer's font A cell (12×24 dots) magnified by GS ! gives the number's size; the preview mimics it.
FONT_A_CELL = (12, 24)
