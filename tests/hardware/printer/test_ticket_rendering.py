"""The ticket's bytes parsed back: raster lines equal the preview, the number is native text, the QR scans."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
import zxingcpp
from PIL import Image, ImageChops

from kiosk.domain.ticket import Lane
from kiosk.hardware.printer.blocks import NumberBlock, PaperWidth, PrinterProfile, QrMode, RasterBlock
from kiosk.hardware.printer.render import desk_slip_job, ticket_job
from kiosk.hardware.printer.sample import sample_desk_slip, sample_ticket
from tests.support.escpos_paper import paper_from_events
from tests.support.escpos_parser import Cut, Qr, Raster, Text, parse

PROFILES = [PrinterProfile(paper=p, qr_mode=m) for p in PaperWidth for m in QrMode]


def _ids(profile: PrinterProfile) -> str:
    return f"{profile.paper.mm}mm-{profile.qr_mode}"


def _same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None


def _ink(image: Image.Image) -> tuple[int, int, int, int] | None:
    return image.convert("L").point(lambda v: 255 - v).getbbox()


def _decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


@pytest.mark.parametrize("profile", PROFILES, ids=_ids)
def test_the_paper_printed_is_the_preview_dot_for_dot(profile: PrinterProfile) -> None:
    # Raster lines go out cut to their ink with ESC J for the blank rows: the paper must still be the preview.
    job = ticket_job(sample_ticket(provisional=True), profile)
    preview = job.preview().image
    paper, natives = paper_from_events(parse(job.escpos()), int(profile.paper))
    assert len(natives) == (1 if profile.qr_mode is QrMode.IMAGE else 2)
    printed = preview.crop((0, 0, preview.width, paper.height))
    for top, bottom in natives:  # only the printer's firmware draws these; the preview imitates them
        printed.paste(1, (0, top, preview.width, bottom))
    assert _same_pixels(paper, printed)
    assert _ink(preview.crop((0, paper.height, preview.width, preview.height))) is None


@pytest.mark.parametrize("profile", PROFILES, ids=_ids)
def test_no_raster_line_carries_blank_rows_or_blank_side_bytes(profile: PrinterProfile) -> None:
    sent = [e.image for e in parse(ticket_job(sample_ticket(), profile).escpos()) if isinstance(e, Raster)]
    assert len(sent) > 10
    for image in sent:
        ink = _ink(image)
        assert ink is not None
        _, top, right, bottom = ink
        assert (top, bottom) == (0, image.height)
        assert right > image.width - 8  # no whole blank byte on the right
        assert image.width <= int(profile.paper)


@pytest.mark.parametrize("paper", list(PaperWidth), ids=lambda p: f"{p.mm}mm")
def test_the_number_is_native_enlarged_text_and_the_qr_a_native_code(paper: PaperWidth) -> None:
    ticket = sample_ticket(number=7)
    events = parse(ticket_job(ticket, PrinterProfile(paper=paper)).escpos())
    texts = [e for e in events if isinstance(e, Text)]
    assert [t.text for t in texts] == ["007"]
    assert texts[0].width_scale == texts[0].height_scale >= 5
    assert texts[0].align == 1
    assert 12 * texts[0].width_scale * 3 <= int(paper)
    qrs = [e for e in events if isinstance(e, Qr)]
    assert [q.payload for q in qrs] == [ticket.status_url]
    assert isinstance(events[-1], Cut)


@pytest.mark.parametrize("paper", list(PaperWidth), ids=lambda p: f"{p.mm}mm")
def test_the_image_fallback_qr_scans_from_the_printed_pixels(paper: PaperWidth) -> None:
    ticket = sample_ticket()
    events = parse(ticket_job(ticket, PrinterProfile(paper=paper, qr_mode=QrMode.IMAGE)).escpos())
    assert not [e for e in events if isinstance(e, Qr)]
    decoded = [text for e in events if isinstance(e, Raster) for text in _decode(e.image)]
    assert decoded == [ticket.status_url]


@pytest.mark.parametrize("paper", list(PaperWidth), ids=lambda p: f"{p.mm}mm")
def test_the_preview_qr_scans_to_the_status_page(paper: PaperWidth) -> None:
    ticket = sample_ticket()
    assert _decode(ticket_job(ticket, PrinterProfile(paper=paper)).preview().image) == [ticket.status_url]


def test_the_desk_slip_qr_carries_the_data_read_so_staff_need_not_retype() -> None:
    slip = sample_desk_slip()
    job = desk_slip_job(slip, PrinterProfile(paper=PaperWidth.MM58))
    assert [e.payload for e in parse(job.escpos()) if isinstance(e, Qr)] == [slip.data_qr_payload]
    assert _decode(job.preview().image) == [slip.data_qr_payload]


def test_vietnamese_names_print_differently_from_their_unaccented_spelling() -> None:
    profile = PrinterProfile(paper=PaperWidth.MM80)
    with_marks = ticket_job(sample_ticket(), profile).blocks
    plain = ticket_job(_renamed("Nguyen Thi Anh Tuyet"), profile).blocks
    differing = [
        (a, b)
        for a, b in zip(with_marks, plain, strict=True)
        if isinstance(a, RasterBlock) and isinstance(b, RasterBlock) and not _same_pixels(a.image, b.image)
    ]
    assert len(differing) == 1
    name_line = differing[0][0].image
    assert name_line.convert("L").getextrema()[0] == 0  # has ink


def test_priority_lane_is_printed_inverse_and_normal_lane_is_not() -> None:
    profile = PrinterProfile(paper=PaperWidth.MM58)

    def lane_line(lane: Lane) -> Image.Image:
        blocks = ticket_job(sample_ticket(lane=lane), profile).blocks
        number_at = next(i for i, b in enumerate(blocks) if isinstance(b, NumberBlock))
        block = blocks[number_at + 1]
        assert isinstance(block, RasterBlock)
        return block.image

    def ink_share(image: Image.Image) -> float:
        hist = image.convert("L").histogram()
        return hist[0] / (image.width * image.height)

    assert ink_share(lane_line(Lane.PRIORITY)) > 0.6 > 0.4 > ink_share(lane_line(Lane.NORMAL))


@pytest.mark.parametrize("profile", PROFILES, ids=_ids)
def test_every_ticket_and_slip_fits_the_wire_budget(profile: PrinterProfile) -> None:
    # The goal: a ticket is at most 25 KB on the wire, whatever the paper and however the QR is sent.
    ticket = replace(sample_ticket(provisional=True), patient_display_name="Nguyễn Thị Ánh Tuyết Phương")
    assert len(ticket_job(ticket, profile).escpos()) <= 25_000
    assert len(desk_slip_job(sample_desk_slip(), profile).escpos()) <= 25_000


def _renamed(name: str):  # type: ignore[no-untyped-def]
    return replace(sample_ticket(), patient_display_name=name)


def test_the_hospital_logo_is_printed_first_and_centred() -> None:
    logo = Image.new("L", (300, 300), 255)
    logo.paste(0, (100, 100, 200, 200))  # a black square in the middle
    job = ticket_job(sample_ticket(), PrinterProfile(paper=PaperWidth.MM58), logo=logo)
    paper, _ = paper_from_events(parse(job.escpos()), 384)
    first = next(e for e in parse(job.escpos()) if isinstance(e, Raster))
    assert first.image.height == 32  # only the square's rows go on the wire
    ink = _ink(paper.crop((0, 16, 384, 16 + 96)))  # the logo's 96 rows under the top margin
    assert ink is not None
    left, top, right, bottom = ink
    assert abs((left + right) / 2 - 192) <= 2
    assert (top, bottom) == (32, 64)


def test_cached_lines_are_shared_between_tickets_and_never_drawn_on() -> None:
    # Fixed lines (hospital, labels) and the QR are cached for speed; a later ticket must not change an earlier one.
    profile = PrinterProfile(paper=PaperWidth.MM80, qr_mode=QrMode.IMAGE)
    first = ticket_job(sample_ticket(), profile)
    before = first.preview().image.copy()
    second = ticket_job(_renamed("Trần Văn Ẩn"), profile)
    assert second.blocks[0] == first.blocks[0]  # the hospital's name is the same image, drawn once
    assert not _same_pixels(second.preview().image, before)
    assert _same_pixels(first.preview().image, before)
    png = Image.open(io.BytesIO(first.preview_png()))
    assert png.format == "PNG"
    assert _same_pixels(png, before)
