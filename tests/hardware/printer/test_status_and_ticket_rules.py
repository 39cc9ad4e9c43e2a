"""Status bytes decoded by the rules, ticket domain rules, and reopening a busy device."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.domain.printer_state import PrinterState
from kiosk.domain.ticket import DeskSlip, TicketError
from kiosk.hardware.printer.escpos_adapter import open_transport
from kiosk.hardware.printer.sample import sample_desk_slip, sample_ticket
from kiosk.hardware.printer.status import interpret, is_realtime_status_byte
from kiosk.hardware.printer.uri import PrinterError, parse_printer_uri
from kiosk.hardware.printer.worker import PrinterWorker, Transport
from tests.support.escpos_fake import FakePrinterServer


@pytest.mark.parametrize(
    ("printer", "cause", "paper", "state"),
    [
        (0x12, 0x12, 0x12, PrinterState.READY),
        (0x16, 0x12, 0x1E, PrinterState.PAPER_NEAR_END),  # Epson sets bit 2 of DLE EOT 1 for drawer pin: ignored
        (0x1A, 0x32, 0x7E, PrinterState.PAPER_OUT),
        (0x1A, 0x16, 0x12, PrinterState.COVER_OPEN),
        (0x1A, 0x36, 0x7E, PrinterState.COVER_OPEN),  # cover open wins: it is what staff must fix first
        (0x1A, 0x52, 0x12, PrinterState.ERROR),
        (0x1A, 0x12, 0x12, PrinterState.OFFLINE),
        (None, 0x12, 0x12, PrinterState.NO_RESPONSE),
        (0x12, 0x12, None, PrinterState.NO_RESPONSE),
        (0x00, 0x00, 0x00, PrinterState.ERROR),  # zeros are line noise, not "all clear"
        (0xFF, 0x12, 0x12, PrinterState.ERROR),
    ],
)
def test_status_bytes(printer: int | None, cause: int | None, paper: int | None, state: PrinterState) -> None:
    assert interpret(printer, cause, paper) is state


def test_only_bytes_with_the_fixed_bits_are_status_replies() -> None:
    valid = [b for b in range(256) if is_realtime_status_byte(b)]
    assert 0x12 in valid
    assert len(valid) == 16  # 4 fixed bits of 8


def test_a_ticket_never_carries_an_id_number_as_its_name() -> None:
    with pytest.raises(TicketError) as caught:
        replace(sample_ticket(), patient_display_name="079123456789")
    assert caught.value.reason == "digits_in_patient_name"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"queue_number": 0}, "queue_number_out_of_range"),
        ({"patient_birth_year": 1850}, "birth_year_out_of_range"),
        ({"patient_birth_year": 2030}, "birth_year_out_of_range"),
        ({"hospital_name": "  "}, "missing_hospital_name"),
        ({"wait_estimate_minutes": -5}, "negative_wait_estimate"),
        ({"printed_at": datetime(2026, 11, 23, 7, 42)}, "naive_printed_at"),  # noqa: DTZ001
    ],
)
def test_tickets_that_must_not_be_printed(change: dict[str, object], reason: str) -> None:
    with pytest.raises(TicketError) as caught:
        replace(sample_ticket(), **change)  # type: ignore[arg-type]
    assert caught.value.reason == reason


def test_ticket_text_is_nfc_and_the_number_has_three_digits() -> None:
    decomposed = "Nguye\u0302\u0303n Va\u0306n A"
    ticket = replace(sample_ticket(number=5), patient_display_name=decomposed)
    assert ticket.patient_display_name == "Nguyễn Văn A"
    assert ticket.display_number == "005"
    assert replace(sample_ticket(number=1234)).display_number == "1234"


def test_a_desk_slip_needs_a_reason_code_staff_can_look_up() -> None:
    with pytest.raises(TicketError):
        replace(sample_desk_slip(), reason_code="lý do")
    slip = DeskSlip("BV", "fee_or_desk", "", datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    assert slip.reason_code == "fee_or_desk"


def test_a_busy_device_is_opened_again_after_a_short_wait(fake_printer: FakePrinterServer) -> None:
    # "Resource busy" is what a USB printer says for a moment after a power-cycle; the worker retries it.
    attempts: list[str] = []
    uri = parse_printer_uri(fake_printer.uri)

    def connect() -> Transport:
        attempts.append("open")
        if len(attempts) < 3:
            raise PrinterError("busy")
        return open_transport(uri)

    worker = PrinterWorker(connect, open_backoff=0.01)
    try:
        assert worker.status().result(timeout=5).state is PrinterState.READY
    finally:
        worker.close()
    assert len(attempts) == 3


def test_a_device_that_stays_busy_is_reported_busy() -> None:
    def connect() -> Transport:
        raise PrinterError("busy")

    worker = PrinterWorker(connect, open_backoff=0.01)
    try:
        report = worker.status().result(timeout=5)
    finally:
        worker.close()
    assert report.state is PrinterState.NO_RESPONSE
    assert report.detail == "busy"


def test_the_printed_time_is_hospital_time_whatever_zone_the_ticket_was_made_in() -> None:
    from kiosk.hardware.printer.ticket_layout import local_time_text

    utc = datetime(2026, 11, 23, 17, 30, tzinfo=ZoneInfo("UTC"))
    assert local_time_text(utc) == "00:30 ngày 24/11/2026"  # UTC+7: already the next day in Việt Nam
