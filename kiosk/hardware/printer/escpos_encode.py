"""ESC/POS bytes for a stack of ticket blocks (pure; the transports in the adapter only carry them).

Six commands are all a ticket needs, so they are written here rather than through python-escpos's printer object,
which would have to be imported outside an adapter and prints warnings to stdout for profiles without a width.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from kiosk.hardware.printer.blocks import Block, FeedBlock, NumberBlock, PrinterProfile, QrBlock, QrMode, RasterBlock
from kiosk.hardware.printer.preview import qr_image

ESC = b"\x1b"
GS = b"\x1d"
INIT = ESC + b"@"
ALIGN_LEFT = ESC + b"a\x00"
ALIGN_CENTER = ESC + b"a\x01"
BOLD_ON = ESC + b"E\x01"
BOLD_OFF = ESC + b"E\x00"
NORMAL_SIZE = GS + b"!\x00"
# Feed to the cutter and cut partially (a full cut can drop the ticket on the floor).
FEED_AND_CUT = GS + b"V\x42\x00"
# A tail of blank paper so the last line clears the tear bar on printers without a cutter.
TEAR_FEED = ESC + b"d\x04"
QR_ERROR_M = 49


def _raster_rows(width_bytes: int, height: int, data: bytes) -> bytes:
    """`GS v 0` normal density: rows of whole bytes, most significant bit leftmost, 1 = burn a dot."""
    return GS + b"v0\x00" + width_bytes.to_bytes(2, "little") + height.to_bytes(2, "little") + data


@dataclass(frozen=True, slots=True)
class InkStrip:
    """A raster line cut to its ink: blank rows above and below become paper feed, blank bytes at the sides go."""

    blank_above: int
    blank_below: int
    data: bytes  # `GS v 0` with only the inked rows; b"" when the line has no ink at all


def ink_strip(image: Image.Image, *, centered: bool) -> InkStrip:
    """Blank rows cost a whole row of bytes each and blank bytes cost one per row; ESC J feeds them for 3 bytes.

    A centred line loses the same number of blank bytes on each side, so the printer still centres it on the same
    dots; a left-aligned line keeps its left edge and loses only what is right of its ink.
    """
    mono = image if image.mode == "1" else image.convert("1")
    width_bytes = (mono.width + 7) // 8
    data = mono.tobytes("raw", "1;I")
    rows = [data[i : i + width_bytes] for i in range(0, len(data), width_bytes)]
    inked = [i for i, row in enumerate(rows) if row.count(0) != width_bytes]
    if not inked:
        return InkStrip(len(rows), 0, b"")
    top, bottom = inked[0], inked[-1] + 1
    kept = rows[top:bottom]
    left = min(len(row) - len(row.lstrip(b"\x00")) for row in kept)
    right = min(len(row) - len(row.rstrip(b"\x00")) for row in kept)
    if centered:
        left = right = min(left, right)
    else:
        left = 0
    stop = width_bytes - right
    strip = b"".join(row[left:stop] for row in kept)
    return InkStrip(top, len(rows) - bottom, _raster_rows(stop - left, bottom - top, strip))


def enlarged_number(block: NumberBlock) -> bytes:
    if not 1 <= block.scale <= 8 or not block.text.isascii():
        raise ValueError("native text must be ASCII at scale 1–8")
    size = ((block.scale - 1) << 4) | (block.scale - 1)
    return (
        ALIGN_CENTER
        + BOLD_ON
        + GS
        + b"!"
        + bytes([size])
        + block.text.encode("ascii")
        + b"\n"
        + NORMAL_SIZE
        + BOLD_OFF
        + ALIGN_LEFT
    )


def _qr_function(fn: int, data: bytes) -> bytes:
    # GS ( k pL pH cn fn [data]: the length counts cn and fn; cn 49 is QR.
    return GS + b"(k" + (len(data) + 2).to_bytes(2, "little") + bytes([49, fn]) + data


def native_qr(block: QrBlock) -> bytes:
    payload = block.payload.encode("utf-8")
    if not 1 <= block.module_dots <= 16 or len(payload) > 7089:
        raise ValueError("QR module size must be 1–16 and payload at most 7089 bytes")
    return (
        ALIGN_CENTER
        + _qr_function(65, bytes([50, 0]))  # model 2
        + _qr_function(67, bytes([block.module_dots]))
        + _qr_function(69, bytes([QR_ERROR_M]))
        + _qr_function(80, b"0" + payload)  # store
        + _qr_function(81, b"0")  # print
        + b"\n"
        + ALIGN_LEFT
    )


def feed(dots: int) -> bytes:
    out = b""
    while dots > 0:
        step = min(dots, 255)
        out += ESC + b"J" + bytes([step])
        dots -= step
    return out


def _qr_raster(block: QrBlock, profile: PrinterProfile) -> Image.Image:
    return qr_image(block.payload, block.module_dots, int(profile.paper))


def encode(blocks: list[Block], profile: PrinterProfile) -> bytes:
    """The whole job: reset, every block in order, then feed and cut (or feed to the tear bar).

    Raster lines (and the image QR) go out cut to their ink, with the blank rows between them sent as one ESC J;
    the paper comes out dot for dot as the preview draws it, in fewer bytes.
    """
    out = _JobWriter()
    for block in blocks:
        if isinstance(block, FeedBlock):
            out.pending_feed += block.dots
        elif isinstance(block, RasterBlock):
            out.strip(block.image, centered=block.centered)
        elif isinstance(block, QrBlock) and profile.qr_mode is QrMode.IMAGE:
            out.strip(_qr_raster(block, profile), centered=True)
        else:
            out.native(enlarged_number(block) if isinstance(block, NumberBlock) else native_qr(block))
    out.flush_feed()
    out.parts.append(FEED_AND_CUT if profile.cutter else TEAR_FEED)
    return b"".join(out.parts)


class _JobWriter:
    """Collects the job's commands, merging consecutive feeds and sending ESC a only when alignment changes."""

    def __init__(self) -> None:
        self.parts: list[bytes] = [INIT, ALIGN_LEFT]
        self.pending_feed = 0
        self._centered = False

    def flush_feed(self) -> None:
        if self.pending_feed:
            self.parts.append(feed(self.pending_feed))
            self.pending_feed = 0

    def strip(self, image: Image.Image, *, centered: bool) -> None:
        strip = ink_strip(image, centered=centered)
        self.pending_feed += strip.blank_above
        if strip.data:
            self.flush_feed()
            if centered != self._centered:
                self.parts.append(ALIGN_CENTER if centered else ALIGN_LEFT)
                self._centered = centered
            self.parts.append(strip.data)
        self.pending_feed += strip.blank_below

    def native(self, command: bytes) -> None:
        # The number and the native QR set their own alignment and leave it left.
        self.flush_feed()
        self.parts.append(command)
        self._centered = False
