"""The serial transport on a pseudo-terminal, the file transport, and printer URIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.domain.printer_state import PrinterState
from kiosk.hardware.printer.blocks import PaperWidth, PrinterProfile
from kiosk.hardware.printer.escpos_adapter import open_transport
from kiosk.hardware.printer.render import ticket_job
from kiosk.hardware.printer.sample import sample_ticket
from kiosk.hardware.printer.uri import PrinterError, PrinterUri, TransportKind, parse_printer_uri
from kiosk.hardware.printer.worker import PrinterWorker
from tests.support.escpos_fake import FakePrinterPty
from tests.support.escpos_parser import Qr, Text, parse

JOB = ticket_job(sample_ticket(), PrinterProfile(paper=PaperWidth.MM80)).escpos()


def test_a_serial_printer_answers_status_and_confirms_a_ticket(fake_serial_printer: FakePrinterPty) -> None:
    uri = parse_printer_uri(fake_serial_printer.uri)
    worker = PrinterWorker(lambda: open_transport(uri, io_timeout=2.0), completion_timeout=3.0)
    try:
        fake_serial_printer.printer.faults.cover_open = True
        assert worker.status().result(timeout=5).state is PrinterState.COVER_OPEN
        fake_serial_printer.printer.faults.cover_open = False
        result = worker.print_job(JOB).result(timeout=10)
    finally:
        worker.close()
    assert result.confirmed
    [ticket] = fake_serial_printer.printer.tickets()
    assert [e.text for e in ticket if isinstance(e, Text)] == ["012"]
    assert [e.payload for e in ticket if isinstance(e, Qr)] == [sample_ticket().status_url]


def test_a_silent_serial_printer_is_no_response(fake_serial_printer: FakePrinterPty) -> None:
    fake_serial_printer.printer.faults.silent = True
    uri = parse_printer_uri(fake_serial_printer.uri)
    worker = PrinterWorker(lambda: open_transport(uri, io_timeout=2.0))
    try:
        assert worker.status().result(timeout=5).state is PrinterState.NO_RESPONSE
    finally:
        worker.close()


def test_the_file_transport_writes_the_job_but_never_claims_it_printed(tmp_path: Path) -> None:
    target = tmp_path / "printer.bin"
    uri = parse_printer_uri(f"file://{target}")
    worker = PrinterWorker(lambda: open_transport(uri))
    try:
        status = worker.status().result(timeout=5)
        result = worker.print_job(JOB).result(timeout=5)
    finally:
        worker.close()
    assert status.state is PrinterState.NO_RESPONSE
    assert status.detail == "write_only_transport"
    assert result.sent
    assert not result.confirmed
    assert target.read_bytes() == JOB
    assert [e.text for e in parse(target.read_bytes()) if isinstance(e, Text)] == ["012"]


def test_a_missing_serial_device_is_reported_not_found() -> None:
    uri = parse_printer_uri("serial:///dev/ttyUSB-no-such-printer?baud=115200")
    worker = PrinterWorker(lambda: open_transport(uri))
    try:
        report = worker.status().result(timeout=5)
    finally:
        worker.close()
    assert report.state is PrinterState.NO_RESPONSE
    assert report.detail == "not_found"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tcp://192.168.1.50:9100", PrinterUri(TransportKind.TCP, host="192.168.1.50", port=9100)),
        ("tcp://printer.lan", PrinterUri(TransportKind.TCP, host="printer.lan", port=9100)),
        ("usb://0416:5011", PrinterUri(TransportKind.USB, vendor_id=0x0416, product_id=0x5011)),
        ("serial:///dev/ttyUSB0?baud=115200", PrinterUri(TransportKind.SERIAL, path="/dev/ttyUSB0", baud=115200)),
        ("serial:///dev/ttyS1", PrinterUri(TransportKind.SERIAL, path="/dev/ttyS1", baud=115200)),
        ("file:///tmp/out.bin", PrinterUri(TransportKind.FILE, path="/tmp/out.bin")),
    ],
)
def test_printer_uris(text: str, expected: PrinterUri) -> None:
    assert parse_printer_uri(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("serial:///dev/ttyUSB0?baud=9600", "baud_too_slow"),
        ("usb://04b8", "bad_printer_uri"),
        ("usb://zzzz:0001", "bad_printer_uri"),
        ("lpt://1", "bad_printer_uri"),
        ("tcp://:9100", "bad_printer_uri"),
        ("tcp://host:99999", "bad_printer_uri"),
        ("file://", "bad_printer_uri"),
    ],
)
def test_bad_printer_uris_say_why(text: str, reason: str) -> None:
    with pytest.raises(PrinterError) as caught:
        parse_printer_uri(text)
    assert caught.value.reason == reason
