"""`kiosk printer ...`: what hospital IT runs at a kiosk to check and try its ticket printer.

- `status --to URI`: the printer's state and raw status bytes as JSON (exit 0 only when it can print).
- `test-print --to URI [--confirm-with gs_r|status_only]`: prints the sample ticket and confirms it; non-zero exit
  and an `error` when not usable. `gs_r` (default) waits for the printer's `GS r 1` answer, given only once the paper
  is out; a printer that never answers it fails with `not_confirmed` and a `hint`: set `status_only` in its profile.
- `preview --out FILE.png`: the sample ticket (or desk slip) as the screen shows it, without a printer.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kiosk.hardware.printer.blocks import ConfirmWith, PaperWidth, PrinterProfile, QrMode
from kiosk.hardware.printer.uri import PrinterError, parse_printer_uri

EXIT_NOT_USABLE = 1
EXIT_BAD_INPUT = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("printer", help="check the ticket printer, print a test ticket, preview")
    commands = parser.add_subparsers(dest="printer_command", required=True, metavar="ACTION")

    status = commands.add_parser("status", help="read the printer's status (JSON)")
    _add_target(status)
    status.set_defaults(handler=run_status)

    test_print = commands.add_parser("test-print", help="print the sample ticket and confirm it printed")
    _add_target(test_print)
    _add_profile(test_print)
    test_print.add_argument("--completion-timeout", type=float, default=15.0, help="seconds to wait for the paper")
    test_print.add_argument(
        "--confirm-with",
        choices=[c.value for c in ConfirmWith],
        default=ConfirmWith.GS_R.value,
        help="gs_r (default): the printer confirms the ticket came out (GS r 1); status_only: for printers that never "
        "answer GS r, only a status check after the job",
    )
    test_print.set_defaults(handler=run_test_print)

    preview = commands.add_parser("preview", help="write the sample ticket as a PNG")
    preview.add_argument("--out", required=True, type=Path, help="PNG file to write")
    preview.add_argument("--desk-slip", action="store_true", help="the desk slip instead of a queue ticket")
    _add_profile(preview)
    preview.set_defaults(handler=run_preview)


def _add_target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", required=True, metavar="URI", help="tcp://host:port, usb://VID:PID, serial:///dev/…")
    parser.add_argument("--deadline", type=float, default=1.0, help="seconds a status query may take (at most 1)")


def _add_profile(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--paper", type=int, choices=[58, 80], default=80, help="paper width in mm")
    parser.add_argument("--qr", choices=[m.value for m in QrMode], default=QrMode.NATIVE.value)
    parser.add_argument("--no-cutter", action="store_true", help="the printer has a tear bar, not a cutter")


def _profile(args: argparse.Namespace) -> PrinterProfile:
    return PrinterProfile(PaperWidth.from_mm(args.paper), QrMode(args.qr), cutter=not args.no_cutter)


def _print_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, ensure_ascii=False))


def _worker(
    args: argparse.Namespace, completion_timeout: float = 15.0, confirm_with: ConfirmWith = ConfirmWith.GS_R
) -> Any:
    # Imported here: python-escpos is slow to import and only these two commands need it.
    from kiosk.hardware.printer.escpos_adapter import open_transport
    from kiosk.hardware.printer.worker import PrinterWorker

    uri = parse_printer_uri(args.to)
    return PrinterWorker(
        lambda: open_transport(uri),
        status_deadline=args.deadline,
        completion_timeout=completion_timeout,
        confirm_with=confirm_with,
    )


def run_status(args: argparse.Namespace) -> int:
    try:
        worker = _worker(args)
    except PrinterError as exc:
        _print_json({"error": exc.reason, "message": str(exc)})
        return EXIT_BAD_INPUT
    try:
        report = worker.status().result()
    finally:
        worker.close()
    _print_json({"uri": args.to, "state": report.state.value, "raw": report.raw, "detail": report.detail})
    return 0 if report.printable else EXIT_NOT_USABLE


def run_test_print(args: argparse.Namespace) -> int:
    from kiosk.hardware.printer.render import sample_ticket_job

    try:
        worker = _worker(args, args.completion_timeout, ConfirmWith(args.confirm_with))
    except PrinterError as exc:
        _print_json({"error": exc.reason, "message": str(exc)})
        return EXIT_BAD_INPUT
    job = sample_ticket_job(_profile(args)).escpos()
    try:
        result = worker.print_job(job).result()
    finally:
        worker.close()
    out: dict[str, Any] = {
        "uri": args.to,
        "sent": result.sent,
        "confirmed": result.confirmed,
        "confirmed_with": result.confirmed_with.value if result.confirmed_with else None,
        "bytes": len(job),
        "state_before": result.before.state.value,
        "state_after": result.after.state.value if result.after else None,
    }
    # A write-only file "printer" cannot confirm anything, but nothing went wrong either.
    usable = result.confirmed or (result.sent and result.reason == "write_only_transport")
    if not usable:
        out["error"] = result.reason or "not_confirmed"
        if out["error"] == "not_confirmed" and result.after is not None and result.after.printable:
            # Ready before and after, yet no GS r answer: the usual sign of a printer without GS r.
            out["hint"] = "the printer is ready but never answered GS r 1; if it does not support it, use status_only"
    elif result.reason:
        out["note"] = result.reason
    _print_json(out)
    return 0 if usable else EXIT_NOT_USABLE


def run_preview(args: argparse.Namespace) -> int:
    from kiosk.hardware.printer.render import desk_slip_job, sample_ticket_job
    from kiosk.hardware.printer.sample import sample_desk_slip

    profile = _profile(args)
    job = desk_slip_job(sample_desk_slip(), profile) if args.desk_slip else sample_ticket_job(profile)
    args.out.write_bytes(job.preview_png())
    _print_json({"out": str(args.out), "paper_mm": profile.paper.mm, "bytes_on_wire": len(job.escpos())})
    return 0
