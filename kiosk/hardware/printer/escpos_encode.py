"""ESC/POS bytes for a stack of ticket blocks (pure; the transports in the adapter only carry them).

Six commands are all a ticket needs, so they are written here rather than through python-escpos's printer object,
which would have to be imported outside an adapter and prints warnings to stdout for profiles without a width.
"""

from __future__ import annotations

from PIL import Image

from kiosk.hardware.printer.blocks import Block, NumberBlock, PrinterProfile, QrBlock, QrMode, RasterBlock
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


def raster(image: Image.Image) -> bytes:
    """`GS v 0` normal density: rows of whole bytes, most significant bit leftmost, 1 = burn a dot."""
    mono = image if image.mode == "1" else image.convert("1")
    width_bytes = (mono.width + 7) // 8
    header = GS + b"v0\x00" + width_bytes.to_bytes(2, "little") + mono.height.to_bytes(2, "little")
    return header + mono.tobytes("raw", "1;I")


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


def encode_block(block: Block, profile: PrinterProfile) -> bytes:
    if isinstance(block, RasterBlock):
        return (ALIGN_CENTER + raster(block.image) + ALIGN_LEFT) if block.centered else raster(block.image)
    if isinstance(block, NumberBlock):
        return enlarged_number(block)
    if isinstance(block, QrBlock):
        if profile.qr_mode is QrMode.NATIVE:
            return native_qr(block)
        return ALIGN_CENTER + raster(qr_image(block.payload, block.module_dots, int(profile.paper))) + ALIGN_LEFT
    return feed(block.dots)


def encode(blocks: list[Block], profile: PrinterProfile) -> bytes:
    """The whole job: reset, every block in order, then feed and cut (or feed to the tear bar)."""
    parts = [INIT, ALIGN_LEFT]
    parts += [encode_block(block, profile) for block in blocks]
    parts.append(FEED_AND_CUT if profile.cutter else TEAR_FEED)
    return b"".join(parts)
