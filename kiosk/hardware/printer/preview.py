"""The ticket as a picture: the on-screen ticket, and what tests compare the printed raster lines with.

Raster blocks are pasted exactly as they are sent to the printer; the native number and QR are drawn the way the
printer draws them (the number approximately, in the bundled font at the magnified cell size).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import segno
from PIL import Image, ImageDraw

from kiosk.hardware.printer.blocks import FONT_A_CELL, Block, FeedBlock, NumberBlock, PaperWidth, QrBlock, RasterBlock
from kiosk.hardware.printer.text_raster import font

# Error correction M survives a thermal head's worn dots and a crease; the printer is told the same level.
QR_ERROR_LEVEL = "m"
QR_QUIET_MODULES = 2
# Blank paper above and below the ticket's content on the preview, as the printer feeds before the cut.
TOP_MARGIN = 16
BOTTOM_MARGIN = 40


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a block landed on the preview (top-left corner, in dots)."""

    block: Block
    x: int
    y: int


@dataclass(frozen=True, slots=True)
class TicketPreview:
    image: Image.Image
    placements: tuple[Placement, ...]


@lru_cache(maxsize=16)
def qr_image(payload: str, module_dots: int, paper_dots: int) -> Image.Image:
    """The QR with its quiet zone as a mode "1" image, centred by the printer (the fallback for printers without
    `GS ( k`, and the preview of the native code: same payload, same error correction).

    Cached because segno's mask choice takes milliseconds and a ticket's preview and image QR are the same code;
    the image is shared, so it is pasted and encoded but never drawn on."""
    code = segno.make_qr(payload, error=QR_ERROR_LEVEL, boost_error=False)
    modules = len(code.matrix)
    size = modules + 2 * QR_QUIET_MODULES
    # segno's matrix holds 1 for a dark module; as grey levels 0 is black, so dark modules become 0.
    grey = bytes(255 - 255 * dark for row in code.matrix for dark in row)
    small = Image.new("1", (size, size), 1)
    small.paste(Image.frombytes("L", (modules, modules), grey).convert("1"), (QR_QUIET_MODULES, QR_QUIET_MODULES))
    module = min(module_dots, max(1, paper_dots // size))
    scaled = small.resize((size * module, size * module), Image.Resampling.NEAREST)
    width = min(paper_dots, -(-scaled.width // 8) * 8)
    image = Image.new("1", (width, scaled.height), 1)
    image.paste(scaled, ((width - scaled.width) // 2, 0))
    return image


def number_image(block: NumberBlock, paper_dots: int) -> Image.Image:
    """The enlarged native number as the printer draws it: cells of 12×24 dots times the scale, centred."""
    cell_w, cell_h = FONT_A_CELL[0] * block.scale, FONT_A_CELL[1] * block.scale
    image = Image.new("1", (cell_w * len(block.text), cell_h), 1)
    face = font(int(cell_h * 0.95), bold=True)
    left = 0
    draw = ImageDraw.Draw(image)
    for i, digit in enumerate(block.text):
        x = left + i * cell_w + (cell_w - face.getlength(digit)) / 2
        draw.text((x, cell_h // 2), digit, font=face, fill=0, anchor="lm")
    return image


def block_image(block: Block, paper_dots: int) -> Image.Image | None:
    if isinstance(block, RasterBlock):
        return block.image
    if isinstance(block, NumberBlock):
        return number_image(block, paper_dots)
    if isinstance(block, QrBlock):
        return qr_image(block.payload, block.module_dots, paper_dots)
    return None


def render_preview(blocks: list[Block], paper: PaperWidth) -> TicketPreview:
    dots = int(paper)
    images = [block_image(block, dots) for block in blocks]
    height = TOP_MARGIN + BOTTOM_MARGIN
    height += sum(img.height if img is not None else _feed(b) for b, img in zip(blocks, images, strict=True))
    canvas = Image.new("1", (dots, height), 1)
    placements: list[Placement] = []
    y = TOP_MARGIN
    for block, img in zip(blocks, images, strict=True):
        x = (dots - img.width) // 2 if img is not None and _centered(block) else 0
        placements.append(Placement(block, x, y))
        if img is None:
            y += _feed(block)
            continue
        canvas.paste(img, (x, y))
        y += img.height
    return TicketPreview(canvas, tuple(placements))


def _centered(block: Block) -> bool:
    return isinstance(block, QrBlock | NumberBlock) or (isinstance(block, RasterBlock) and block.centered)


def _feed(block: Block) -> int:
    return block.dots if isinstance(block, FeedBlock) else 0
