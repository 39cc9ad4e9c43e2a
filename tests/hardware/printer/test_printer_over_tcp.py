"""Status and print jobs through python-escpos's TCP transport against the fake printer on a real loopback socket."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import pytest

from kiosk.domain.printer_state import PrinterState
from kiosk.hardware.printer.blocks import PaperWidth, PrinterProfile
from kiosk.hardware.printer.escpos_adapter import open_transport
from kiosk.hardware.printer.render import ticket_job
from kiosk.hardware.printer.sample import sample_ticket
from kiosk.hardware.printer.uri import parse_printer_uri
from kiosk.hardware.printer.worker import PrinterWorker
from tests.support.escpos_fake import FakePrinterServer
from tests.support.escpos_parser import Cut, Qr, Raster, Text, parse

JOB = ticket_job(sample_ticket(), PrinterProfile(paper=PaperWidth.MM58)).escpos()


def _wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def _worker(uri: str, **kwargs: float) -> PrinterWorker:
    parsed = parse_printer_uri(uri)
    return PrinterWorker(lambda: open_transport(parsed, io_timeout=2.0), **kwargs)


@pytest.fixture
def worker(fake_printer: FakePrinterServer) -> Iterator[PrinterWorker]:
    w = _worker(fake_printer.uri, completion_timeout=2.0)
    yield w
    w.close()


@pytest.mark.parametrize(
    ("fault", "state"),
    [
        ({}, PrinterState.READY),
        ({"paper_near_end": True}, PrinterState.PAPER_NEAR_END),
        ({"paper_out": True}, PrinterState.PAPER_OUT),
        ({"cover_open": True}, PrinterState.COVER_OPEN),
        ({"offline": True}, PrinterState.OFFLINE),
        ({"error": True}, PrinterState.ERROR),
    ],
)
def test_status_reads_the_printers_answers(
    fake_printer: FakePrinterServer, worker: PrinterWorker, fault: dict[str, bool], state: PrinterState
) -> None:
    for name, value in fault.items():
        setattr(fake_printer.printer.faults, name, value)
    report = worker.status().result(timeout=5)
    assert report.state is state
    assert set(report.raw) == {"printer", "offline_cause", "paper"}
    assert fake_printer.printer.status_queries == [1, 2, 4]


def test_a_silent_printer_is_no_response_within_the_deadline(
    fake_printer: FakePrinterServer, worker: PrinterWorker
) -> None:
    fake_printer.printer.faults.silent = True
    started = time.monotonic()
    report = worker.status().result(timeout=5)
    elapsed = time.monotonic() - started
    assert report.state is PrinterState.NO_RESPONSE
    assert report.raw == {}
    assert elapsed < 1.5  # ≤ 1 s of waiting plus connecting and draining, on a busy 2-core machine


def test_a_late_reply_is_drained_and_not_read_as_the_next_answer(fake_printer: FakePrinterServer) -> None:
    worker = _worker(fake_printer.uri, status_deadline=0.2)
    try:
        faults = fake_printer.printer.faults
        faults.paper_out, faults.reply_delay = True, 0.4
        assert worker.status().result(timeout=5).state is PrinterState.NO_RESPONSE
        _wait_for(lambda: fake_printer.printer.late_replies_sent >= 1)  # the slow answer is now waiting, unread
        faults.paper_out, faults.reply_delay = False, 0.0
        report = worker.status().result(timeout=5)
        assert report.state is PrinterState.READY
        assert report.raw == {"printer": "12", "offline_cause": "12", "paper": "12"}
    finally:
        worker.close()


def test_connection_refused_is_no_response_with_a_reason() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    worker = _worker(f"tcp://127.0.0.1:{port}")
    try:
        report = worker.status().result(timeout=5)
    finally:
        worker.close()
    assert report.state is PrinterState.NO_RESPONSE
    assert report.detail == "connection_refused"


def test_a_ticket_is_printed_and_confirmed(fake_printer: FakePrinterServer, worker: PrinterWorker) -> None:
    result = worker.print_job(JOB).result(timeout=10)
    assert result.confirmed
    assert result.before.state is PrinterState.READY
    assert result.after is not None
    assert result.after.state is PrinterState.READY
    [ticket] = fake_printer.printer.tickets()
    assert [e.text for e in ticket if isinstance(e, Text)] == ["012"]
    assert [e.payload for e in ticket if isinstance(e, Qr)] == [sample_ticket().status_url]
    assert sum(isinstance(e, Raster) for e in ticket) > 10
    assert isinstance(ticket[-1], Cut)
    assert bytes(fake_printer.printer.received).count(JOB) == 1


def test_paper_out_before_printing_sends_nothing(fake_printer: FakePrinterServer, worker: PrinterWorker) -> None:
    fake_printer.printer.faults.paper_out = True
    result = worker.print_job(JOB).result(timeout=10)
    assert not result.sent
    assert not result.confirmed
    assert result.reason == "paper_out"
    assert fake_printer.printer.printed == []
    assert JOB not in bytes(fake_printer.printer.received)


def test_paper_out_mid_job_is_not_confirmed(fake_printer: FakePrinterServer) -> None:
    worker = _worker(fake_printer.uri, completion_timeout=0.5)
    try:
        fake_printer.printer.faults.paper_out_after_rasters = 5
        result = worker.print_job(JOB).result(timeout=10)
    finally:
        worker.close()
    assert result.sent
    assert not result.confirmed
    assert result.reason == "not_confirmed"
    assert result.after is not None
    assert result.after.state is PrinterState.PAPER_OUT
    assert not any(isinstance(e, Cut) for e in fake_printer.printer.printed)


def test_a_dropped_connection_mid_job_fails_and_the_next_job_reconnects(
    fake_printer: FakePrinterServer, worker: PrinterWorker
) -> None:
    fake_printer.printer.faults.drop_after_bytes = 3000
    result = worker.print_job(JOB).result(timeout=10)
    assert not result.confirmed
    assert result.reason == "connection_lost"
    fake_printer.printer.printed.clear()
    again = worker.print_job(JOB).result(timeout=10)
    assert again.confirmed
    assert fake_printer.connections == 2


def test_the_printer_is_back_after_a_power_cycle(fake_printer: FakePrinterServer, worker: PrinterWorker) -> None:
    assert worker.status().result(timeout=5).state is PrinterState.READY
    fake_printer.power_off()
    assert worker.status().result(timeout=5).state is PrinterState.NO_RESPONSE
    assert worker.status().result(timeout=5).detail == "connection_refused"
    fake_printer.power_on()
    assert worker.status().result(timeout=5).state is PrinterState.READY
    assert worker.print_job(JOB).result(timeout=10).confirmed


def test_completion_waits_for_the_printer_to_finish_after_paper_is_replaced(fake_printer: FakePrinterServer) -> None:
    worker = _worker(fake_printer.uri, completion_timeout=3.0)
    try:
        fake_printer.printer.faults.paper_out_after_rasters = 3
        pending = worker.print_job(JOB)
        _wait_for(lambda: fake_printer.printer.faults.paper_out)
        time.sleep(0.3)
        assert not pending.done()  # GS r 1 is not answered while the printer waits for paper
        fake_printer.printer.faults.paper_out_after_rasters = None
        fake_printer.printer.faults.paper_out = False
        fake_printer.printer.process()
        result = pending.result(timeout=5)
    finally:
        worker.close()
    assert result.confirmed
    assert isinstance(fake_printer.printer.printed[-1], Cut)


def test_the_parser_sees_the_whole_job_as_one_ticket() -> None:
    events = parse(JOB)
    assert sum(isinstance(e, Cut) for e in events) == 1
