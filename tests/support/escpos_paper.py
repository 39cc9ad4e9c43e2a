"""The paper a printer would push out for a parsed ESC/POS job: raster lines placed as the printer places them,
feeds as blank paper. Native text and native QR codes are left blank, of the height the preview gives them, because
only the printer's own firmware draws them; tests compare everything else with the preview dot for dot."""

from __future__ import annotations

from PIL import Image

from kiosk.hardware.printer.blocks import FONT_A_CELL
from kiosk.hardware.printer.preview import qr_image
from tests.support.escpos_parser import Event, Feed, Qr, Raster, Text

# The preview's blank paper above the content (kiosk.hardware.printer.preview.TOP_MARGIN).
TOP_MARGIN = 16


def paper_from_events(events: list[Event], paper_dots: int) -> tuple[Image.Image, list[tuple[int, int]]]:
    """The printed paper (mode "1", black = ink) and the (top, bottom) rows of each native item left blank."""
    pieces: list[tuple[int, int, Image.Image | None]] = []  # (x, y, image) with y from the top of the content
    natives: list[tuple[int, int]] = []
    y = TOP_MARGIN
    for event in events:
        if isinstance(event, Raster):
            x = (paper_dots - event.image.width) // 2 if event.align == 1 else 0
            pieces.append((x, y, event.image))
            y += event.image.height
        elif isinstance(event, Feed):
            y += event.dots
        elif isinstance(event, Text):
            height = FONT_A_CELL[1] * event.height_scale
            natives.append((y, y + height))
            y += height
        elif isinstance(event, Qr):
            height = qr_image(event.payload, event.module_dots, paper_dots).height
            natives.append((y, y + height))
            y += height
    paper = Image.new("1", (paper_dots, y), 1)
    for x, top, image in pieces:
        if image is not None:
            paper.paste(image, (x, top))
    return paper, natives
