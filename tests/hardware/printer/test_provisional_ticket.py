"""A provisional ticket (issued from the kiosk's lease while the hub was unreachable) says so on paper, and for a
BHYT visit says in words that the insurance card has not been checked yet; a fee-paying one says only that the
number is provisional."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.domain.ticket import VisitType
from kiosk.hardware.printer.blocks import PaperWidth, PrinterProfile, RasterBlock
from kiosk.hardware.printer.render import ticket_job
from kiosk.hardware.printer.sample import sample_ticket
from kiosk.hardware.printer.ticket_layout import provisional_notice, ticket_blocks

PENDING = "Chưa kiểm tra thẻ BHYT — sẽ kiểm tra tại quầy"


def test_a_provisional_bhyt_ticket_says_the_insurance_check_is_pending() -> None:
    assert PENDING in provisional_notice(sample_ticket(provisional=True))


def test_a_provisional_fee_paying_ticket_says_only_that_the_number_is_provisional() -> None:
    fee = replace(sample_ticket(provisional=True), visit_type=VisitType.FEE)
    assert provisional_notice(fee) == ["Vui lòng xác nhận tại quầy tiếp đón"]


def test_a_confirmed_ticket_carries_no_provisional_notice() -> None:
    assert provisional_notice(sample_ticket()) == []


@pytest.mark.parametrize("paper", list(PaperWidth))
def test_the_pending_line_is_printed_only_on_the_bhyt_provisional_ticket(paper: PaperWidth) -> None:
    def raster_rows(visit: VisitType) -> int:
        ticket = replace(sample_ticket(provisional=True), visit_type=visit)
        return sum(b.image.height for b in ticket_blocks(ticket, paper) if isinstance(b, RasterBlock))

    # The BHYT ticket carries at least one more line of text (the notice wraps on 58 mm paper).
    assert raster_rows(VisitType.BHYT) >= raster_rows(VisitType.FEE) + 15


@pytest.mark.parametrize("paper", list(PaperWidth))
def test_the_provisional_bhyt_ticket_fits_the_wire_budget(paper: PaperWidth) -> None:
    # The provisional QR is the hub's `/t/k/{lease id}/{key hash}` page: longer than an online ticket's.
    url = "https://kiosk-hub.bvdktthue.vn:8443/t/k/6f1c2a9e-43b1-4d3c-9a57-0d2e8b7c4f10/" + "5d41402abc4b2a76" * 2
    ticket = replace(
        sample_ticket(provisional=True), patient_display_name="Nguyễn Thị Ánh Tuyết Phương", status_url=url
    )
    assert len(ticket_job(ticket, PrinterProfile(paper=paper)).escpos()) <= 25_000
