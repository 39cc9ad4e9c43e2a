"""Every Vietnamese letter survives the bundled font, and the rendered tickets match their approved golden images.

Regenerate the golden images after an intended layout change with `KIOSK_UPDATE_GOLDEN=1` and look at them.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from kiosk.hardware.printer.blocks import PaperWidth, PrinterProfile
from kiosk.hardware.printer.render import desk_slip_job, ticket_job
from kiosk.hardware.printer.sample import sample_desk_slip, sample_ticket
from kiosk.hardware.printer.text_raster import font, render_line

GOLDEN = Path(__file__).parent / "golden"
VOWELS = "aăâeêioôơuưy"
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]  # ngang, huyền, sắc, hỏi, ngã, nặng
NOT_A_CHARACTER = "\U0010fffd"


def vietnamese_letters() -> list[str]:
    lower = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES] + ["đ"]
    return lower + [c.upper() for c in lower]


def _pixels(text: str, bold: bool) -> bytes:
    return render_line(text, font(24, bold=bold), 576).tobytes()


@pytest.mark.parametrize("bold", [False, True], ids=["regular", "bold"])
def test_every_vietnamese_letter_has_its_own_glyph(bold: bool) -> None:
    letters = vietnamese_letters()
    assert len(letters) == 146  # 12 vowels × 6 tones + đ, both cases
    assert all(len(c) == 1 for c in letters)
    missing = _pixels(NOT_A_CHARACTER, bold)
    images = {c: _pixels(c, bold) for c in letters}
    assert [c for c, img in images.items() if img == missing] == []
    # All distinct: a tone mark dropped or a hook drawn as a tilde would make two letters print alike.
    assert len(set(images.values())) == len(letters)


def test_a_sample_sentence_prints_every_character_it_contains() -> None:
    sentence = "Bệnh viện Đa khoa – Người bệnh NGUYỄN THỊ ÁNH TUYẾT, Phòng khám số 12, Tầng 2 – Ưu tiên"
    for char in sorted(set(sentence) - {" "}):
        assert _pixels(char, True) != _pixels(NOT_A_CHARACTER, True), char
        if unicodedata.decomposition(char):
            base = unicodedata.normalize("NFD", char)[0]
            assert _pixels(char, True) != _pixels(base, True), char


CASES = {
    "ticket-58": lambda: ticket_job(sample_ticket(), PrinterProfile(paper=PaperWidth.MM58)),
    "ticket-80": lambda: ticket_job(sample_ticket(), PrinterProfile(paper=PaperWidth.MM80)),
    "ticket-80-provisional": lambda: ticket_job(sample_ticket(provisional=True), PrinterProfile(paper=PaperWidth.MM80)),
    "slip-58": lambda: desk_slip_job(sample_desk_slip(), PrinterProfile(paper=PaperWidth.MM58)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_rendered_ticket_matches_the_golden_image(name: str, tmp_path: Path) -> None:
    image = CASES[name]().preview().image
    golden = GOLDEN / f"{name}.png"
    if os.environ.get("KIOSK_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        image.save(golden)
    expected = Image.open(golden)
    actual_path = tmp_path / golden.name
    image.save(actual_path)
    assert expected.size == image.size, f"size changed; see {actual_path}"
    assert ImageChops.difference(expected.convert("L"), image.convert("L")).getbbox() is None, f"see {actual_path}"
