"""docs/printer.md says what the code does: every state, setting and option, and what a `file://` target gives."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.cli import printer as printer_cli
from kiosk.domain.printer_state import PrinterState
from kiosk.hardware.printer.blocks import ConfirmWith, PrinterProfile
from kiosk.hardware.printer.ticket_printer import EscposTicketPrinter
from tests.hardware.printer.test_printer_cli import kiosk
from tests.support.escpos_parser import Cut, parse

DOC = Path(__file__).resolve().parents[3] / "docs" / "printer.md"


def _options() -> set[str]:
    root = argparse.ArgumentParser()
    printer_cli.register(root.add_subparsers())
    [printer] = next(a for a in root._actions if isinstance(a, argparse._SubParsersAction)).choices.values()
    commands = next(a for a in printer._actions if isinstance(a, argparse._SubParsersAction))
    names = {f"kiosk printer {name}" for name in commands.choices}
    for command in commands.choices.values():
        names |= {opt for action in command._actions for opt in action.option_strings if opt.startswith("--")}
    return names - {"--help"}


def test_the_printer_doc_names_every_state_setting_and_option() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [s.value for s in PrinterState if f"`{s.value}`" not in text]
    missing += [c.value for c in ConfirmWith if f"`{c.value}`" not in text]
    missing += [o for o in sorted(_options()) if o not in text]
    missing += [w for w in ("confirm_with", "printer_confirm_with", "write_only_transport") if w not in text]
    assert not missing


def test_a_file_target_has_no_status_and_test_print_only_hands_the_bytes_over(tmp_path: Path) -> None:
    target = tmp_path / "spool.bin"
    code, out = kiosk("status", "--to", f"file://{target}")
    assert code == 1
    assert (out["state"], out["detail"]) == ("no_response", "write_only_transport")
    code, out = kiosk("test-print", "--to", f"file://{target}")
    assert code == 0
    assert (out["sent"], out["confirmed"], out["note"]) == (True, False, "write_only_transport")
    assert isinstance(parse(target.read_bytes())[-1], Cut)


async def test_the_kiosk_never_takes_a_file_target_for_ready(tmp_path: Path) -> None:
    # Before a registration the kiosk asks check(); a file cannot answer, so the patient gets the on-screen ticket.
    printer = EscposTicketPrinter.from_uri(f"file://{tmp_path / 'spool.bin'}", PrinterProfile())
    try:
        report = await printer.check()
    finally:
        printer.close()
    assert not report.printable
    assert report.state is PrinterState.NO_RESPONSE
    assert report.detail == "write_only_transport"
