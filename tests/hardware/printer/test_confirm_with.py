"""Printers that never answer `GS r 1`: the profile's `confirm_with` decides how a job counts as printed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kiosk.domain.printer_state import PrinterState
from kiosk.hardware.printer.blocks import ConfirmWith, PaperWidth, PrinterProfile
from kiosk.hardware.printer.escpos_adapter import open_transport
from kiosk.hardware.printer.render import ticket_job
from kiosk.hardware.printer.sample import sample_ticket
from kiosk.hardware.printer.status import COMPLETION_QUERY
from kiosk.hardware.printer.ticket_printer import EscposTicketPrinter, TicketNotPrinted
from kiosk.hardware.printer.uri import parse_printer_uri
from kiosk.hardware.printer.worker import PrinterWorker
from tests.hardware.printer.test_printer_cli import kiosk
from tests.support.escpos_fake import FakePrinterServer
from tests.support.escpos_parser import Cut, Text

JOB = ticket_job(sample_ticket(), PrinterProfile(paper=PaperWidth.MM58)).escpos()


@pytest.fixture
def printer_without_gs_r(fake_printer: FakePrinterServer) -> FakePrinterServer:
    fake_printer.printer.faults.no_transmit_status = True
    return fake_printer


@contextmanager
def _worker(uri: str, confirm_with: ConfirmWith) -> Iterator[PrinterWorker]:
    parsed = parse_printer_uri(uri)
    worker = PrinterWorker(
        lambda: open_transport(parsed, io_timeout=2.0), completion_timeout=0.5, confirm_with=confirm_with
    )
    yield worker
    worker.close()


def test_the_default_is_the_printers_own_confirmation() -> None:
    assert PrinterProfile().confirm_with is ConfirmWith.GS_R


def test_with_gs_r_a_printer_that_never_answers_it_is_not_confirmed(printer_without_gs_r: FakePrinterServer) -> None:
    with _worker(printer_without_gs_r.uri, ConfirmWith.GS_R) as worker:
        result = worker.print_job(JOB).result(timeout=10)
        assert result.sent
        assert not result.confirmed
        assert result.reason == "not_confirmed"


def test_status_only_confirms_a_ticket_by_the_status_after_it(printer_without_gs_r: FakePrinterServer) -> None:
    with _worker(printer_without_gs_r.uri, ConfirmWith.STATUS_ONLY) as worker:
        result = worker.print_job(JOB).result(timeout=10)
        assert result.confirmed
        assert result.confirmed_with is ConfirmWith.STATUS_ONLY
        assert result.after is not None
        assert result.after.state is PrinterState.READY
    [ticket] = printer_without_gs_r.printer.tickets()
    assert [e.text for e in ticket if isinstance(e, Text)] == ["012"]
    assert isinstance(ticket[-1], Cut)
    assert COMPLETION_QUERY not in bytes(printer_without_gs_r.printer.received)


def test_status_only_still_reports_paper_running_out_during_the_job(printer_without_gs_r: FakePrinterServer) -> None:
    printer_without_gs_r.printer.faults.paper_out_after_rasters = 3
    with _worker(printer_without_gs_r.uri, ConfirmWith.STATUS_ONLY) as worker:
        result = worker.print_job(JOB).result(timeout=10)
        assert not result.confirmed
        assert result.reason == "paper_out"


async def test_the_kiosk_printer_uses_the_profiles_setting(printer_without_gs_r: FakePrinterServer) -> None:
    strict = EscposTicketPrinter.from_uri(printer_without_gs_r.uri, PrinterProfile(), completion_timeout=0.5)
    try:
        with pytest.raises(TicketNotPrinted) as failed:
            await strict.print_ticket(sample_ticket())
        assert failed.value.reason == "not_confirmed"
    finally:
        strict.close()
    profile = PrinterProfile(confirm_with=ConfirmWith.STATUS_ONLY)
    lenient = EscposTicketPrinter.from_uri(printer_without_gs_r.uri, profile, completion_timeout=0.5)
    try:
        await lenient.print_ticket(sample_ticket())
    finally:
        lenient.close()
    assert len(printer_without_gs_r.printer.tickets()) == 2


def test_test_print_says_how_to_fix_a_printer_without_gs_r(printer_without_gs_r: FakePrinterServer) -> None:
    uri = printer_without_gs_r.uri
    code, out = kiosk("test-print", "--to", uri, "--completion-timeout", "0.5")
    assert code == 1
    assert out["error"] == "not_confirmed"
    assert "status_only" in out["hint"]
    code, out = kiosk("test-print", "--to", uri, "--confirm-with", "status_only")
    assert code == 0
    assert out["confirmed"] is True
    assert out["confirmed_with"] == "status_only"


def test_the_kiosks_settings_choose_the_confirmation() -> None:
    from kiosk.runtime.devices import printer as open_printer
    from kiosk.settings import DeviceSettings

    for value, expected in (("gs_r", ConfirmWith.GS_R), ("status_only", ConfirmWith.STATUS_ONLY)):
        devices = DeviceSettings(printer="tcp://127.0.0.1:9", printer_confirm_with=value)  # type: ignore[arg-type]
        printer = open_printer(devices.printer, devices.paper_mm, devices.printer_confirm_with)._inner  # the breaker's
        assert isinstance(printer, EscposTicketPrinter)
        try:
            assert printer.profile.confirm_with is expected
            assert printer._worker.confirm_with is expected
        finally:
            printer.close()
    assert DeviceSettings().printer_confirm_with == "gs_r"
