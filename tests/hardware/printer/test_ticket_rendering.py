"""The ticket's bytes parsed back: raster lines equal the preview, the number is native text, the QR scans."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image, ImageChops

from kiosk.domain.ticket import Lane
from kiosk.hardware.printer.blocks import NumberBlock, PaperWidth, PrinterProfile, QrBlock, QrMode, RasterBlock
from kiosk.hardware.printer.render import desk_slip_job, ticket_job
from kiosk.hardware.printer.sample import sample_desk_slip, sample_ticket
from tests.support.escpos_parser import Cut, Qr, Raster, Text, parse

PROFILES = [PrinterProfile(paper=p, qr_mode=m) for p in PaperWidth for m in QrMode]


def _ids(profile: PrinterProfile) -> str:
    return f"{profile.paper.mm}mm-{profile.qr_mode}"


def _same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None


def _decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


@pytest.mark.parametrize("profile", PROFILES, ids=_ids)
def test_every_raster_line_sent_is_the_line_on_the_preview(profile: PrinterProfile) -> None:
    job = ticket_job(sample_ticket(), profile)
    preview = job.preview()
    sent = [e for e in parse(job.escpos()) if isinstance(e, Raster)]
    placed = [p for p in preview.placements if isinstance(p.block, RasterBlock | QrBlock)]
    if profile.qr_mode is QrMode.NATIVE:
        placed = [p for p in placed if isinstance(p.block, RasterBlock)]
    assert len(sent) == len(placed) > 10
    for raster, placement in zip(sent, placed, strict=True):
        x, y = placement.x, placement.y
        on_paper_x = (int(profile.paper) - raster.image.width) // 2 if raster.align == 1 else 0
        assert on_paper_x == x
        crop = preview.image.crop((x, y, x + raster.image.width, y + raster.image.height))
        assert _same_pixels(raster.image, crop)
        assert raster.image.width <= int(profile.paper)


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


def test_a_ticket_fits_the_wire_budget_on_both_papers() -> None:
    for profile in PROFILES:
        size = len(ticket_job(sample_ticket(provisional=True), profile).escpos())
        assert size <= 30_000, (profile, size)
        if profile.qr_mode is QrMode.NATIVE:
            assert size <= 25_000, (profile, size)


def _renamed(name: str):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(sample_ticket(), patient_display_name=name)


def test_the_hospital_logo_is_printed_first_and_centred() -> None:
    logo = Image.new("L", (300, 300), 255)
    logo.paste(0, (100, 100, 200, 200))  # a black square in the middle
    job = ticket_job(sample_ticket(), PrinterProfile(paper=PaperWidth.MM58), logo=logo)
    first = next(e for e in parse(job.escpos()) if isinstance(e, Raster))
    assert first.image.height == 96
    ink = first.image.convert("L").point(lambda v: 255 - v).getbbox()
    assert ink is not None
    left, top, right, bottom = ink
    assert abs((left + right) / 2 - 192) <= 2
    assert (top, bottom) == (32, 64)
