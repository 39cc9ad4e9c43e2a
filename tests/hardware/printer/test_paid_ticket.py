"""The fee on paper: a paid ticket names the amount and the bank's reference and asks for nothing; a ticket to pay
later carries the VietQR (a native QR the printer draws, read back from the bytes, and scannable on the preview); the
cashier's slip names the payment and is never marked paid."""

from __future__ import annotations

from dataclasses import replace

import pytest
import zxingcpp

from kiosk.domain.ticket import DeskSlip, PaymentLine, QueueTicket, TicketError, VisitType
from kiosk.domain.vietqr import decode_vietqr, encode_vietqr
from kiosk.hardware.printer.blocks import PaperWidth, PrinterProfile, QrMode, RasterBlock
from kiosk.hardware.printer.render import desk_slip_job, ticket_job
from kiosk.hardware.printer.sample import sample_desk_slip, sample_ticket
from kiosk.hardware.printer.ticket_layout import ticket_blocks
from tests.support.escpos_parser import Qr, parse

QR = encode_vietqr("970422", "0123456789", 150_000, "KB123456789012")
PAID = PaymentLine(150_000, "KB123456789012", bank_reference="FT26327AAAA01")
DUE = PaymentLine(150_000, "KB123456789012", vietqr=QR, account_name="BENH VIEN DA KHOA DEMO")


def fee_ticket(line: PaymentLine | None) -> QueueTicket:
    return replace(sample_ticket(), visit_type=VisitType.FEE, payment=line)


@pytest.mark.parametrize("paper", list(PaperWidth))
def test_a_ticket_to_pay_later_carries_the_vietqr(paper: PaperWidth) -> None:
    job = ticket_job(fee_ticket(DUE), PrinterProfile(paper=paper, qr_mode=QrMode.NATIVE))
    codes = [e.payload for e in parse(job.escpos()) if isinstance(e, Qr)]
    assert codes == [QR, sample_ticket().status_url]
    assert decode_vietqr(codes[0]).amount_vnd == 150_000
    preview = job.preview().image.convert("L")
    assert sorted(r.text for r in zxingcpp.read_barcodes(preview)) == sorted(codes)


def test_a_paid_ticket_asks_for_nothing_and_says_more_than_an_unpaid_one() -> None:
    profile = PrinterProfile(qr_mode=QrMode.NATIVE)
    codes = [e.payload for e in parse(ticket_job(fee_ticket(PAID), profile).escpos()) if isinstance(e, Qr)]
    assert codes == [sample_ticket().status_url]
    lines = [b for b in ticket_blocks(fee_ticket(PAID), PaperWidth.MM80) if isinstance(b, RasterBlock)]
    plain = [b for b in ticket_blocks(fee_ticket(None), PaperWidth.MM80) if isinstance(b, RasterBlock)]
    assert len(lines) == len(plain) + 3  # paid amount, the bank's reference, the memo


def test_a_paid_line_never_carries_a_qr_nor_a_slip_a_paid_line() -> None:
    with pytest.raises(TicketError) as refused:
        PaymentLine(150_000, "KB1", bank_reference="FT1", vietqr=QR)
    assert refused.value.reason == "paid_with_qr"
    with pytest.raises(TicketError) as refused:
        replace(sample_desk_slip(), payment=PAID)
    assert refused.value.reason == "paid_on_slip"
    with pytest.raises(TicketError):
        PaymentLine(0, "KB1")


def test_the_cashiers_slip_names_the_payment() -> None:
    slip = DeskSlip(
        sample_desk_slip().hospital_name,
        "payment_unconfirmed",
        "https://hub.example/p/x",
        sample_desk_slip().printed_at,
        payment=PaymentLine(150_000, "KB123456789012"),
    )
    codes = [e.payload for e in parse(desk_slip_job(slip, PrinterProfile()).escpos()) if isinstance(e, Qr)]
    assert codes == ["https://hub.example/p/x"]
