"""Vietnamese text drawn as 1-bit raster lines with the TrueType font shipped in this package.

Code pages cannot print Vietnamese reliably (TCVN-3 and CP1258 sit at printer-specific `ESC t` numbers, CP1258
has no precomposed toned vowels, cheap printers print `?`), so every word on a ticket is a picture.
The DejaVu Sans Condensed fonts cover all Vietnamese letters and may be redistributed (fonts/LICENSE-DejaVu.txt).
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
_REGULAR = FONT_DIR / "DejaVuSansCondensed.ttf"
_BOLD = FONT_DIR / "DejaVuSansCondensed-Bold.ttf"
# Grey levels below this become ink; thermal heads print dots, not shades.
_INK_THRESHOLD = 140
# As a lookup table Pillow applies it in C; a Python lambda is called 256 times per line.
_TO_INK = [0 if v < _INK_THRESHOLD else 255 for v in range(256)]
# Lines rendered lately, by text, face and layout: the hospital's name, the department and the labels are the same
# on every ticket, so a running kiosk draws them once. The images are never modified after rendering.
_LINE_CACHE_SIZE = 256


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"


@lru_cache(maxsize=32)
def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_BOLD if bold else _REGULAR), size)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break text at spaces so each line fits `width` dots; a single over-long word is cut by characters."""
    lines: list[str] = []
    current = ""
    for word in unicodedata.normalize("NFC", text).split():
        candidate = f"{current} {word}" if current else word
        if face.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while face.getlength(current) > width:
            cut = _longest_prefix(current, face, width)
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


def _longest_prefix(word: str, face: ImageFont.FreeTypeFont, width: int) -> int:
    cut = len(word)
    while cut > 1 and face.getlength(word[:cut]) > width:
        cut -= 1
    return cut


def render_line(
    text: str,
    face: ImageFont.FreeTypeFont,
    paper_dots: int,
    *,
    align: Align = Align.LEFT,
    inverse: bool = False,
    margin: int = 8,
) -> Image.Image:
    """One line as a mode "1" image (black = ink) in whole bytes of width.

    A left-aligned line starts at the paper's edge and stops after its last ink; a centred line is only as wide as
    its text, and the printer centres it (`ESC a 1` applies to raster images), which halves its bytes on the wire.
    """
    ascent, descent = face.getmetrics()
    height = ascent + descent + 4  # room for the stacked marks of "Ễ" above and the dot of "ạ" below
    text_width = int(face.getlength(text)) + 1
    pad = margin if inverse else 0
    if align is Align.CENTER:
        width = min(paper_dots, _whole_bytes(text_width + 2 * pad))
        x = (width - text_width) // 2
    else:
        width = min(paper_dots, _whole_bytes(margin + text_width + pad))
        x = margin
    canvas = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(canvas)
    if inverse:
        draw.rectangle((x - pad, 0, x + text_width + pad, height - 1), fill=0)
    draw.text((x, 2), text, font=face, fill=255 if inverse else 0)
    return canvas.point(_TO_INK, mode="1")


def _whole_bytes(dots: int) -> int:
    return -(-dots // 8) * 8


@lru_cache(maxsize=_LINE_CACHE_SIZE)
def render_paragraph(
    text: str,
    face: ImageFont.FreeTypeFont,
    paper_dots: int,
    *,
    align: Align = Align.LEFT,
    inverse: bool = False,
    margin: int = 8,
) -> tuple[Image.Image, ...]:
    """The text wrapped to the paper, one image per line (shared: callers paste or encode them, never draw on them)."""
    return tuple(
        render_line(line, face, paper_dots, align=align, inverse=inverse, margin=margin)
        for line in wrap(text, face, paper_dots - 2 * margin)
    )


@lru_cache(maxsize=8)
def rule(paper_dots: int, thickness: int = 2, margin: int = 8) -> Image.Image:
    """A horizontal line across the paper, separating the ticket's parts."""
    image = Image.new("1", (paper_dots, thickness + 8), 1)
    ImageDraw.Draw(image).rectangle((margin, 4, paper_dots - margin - 1, 3 + thickness), fill=0)
    return image
