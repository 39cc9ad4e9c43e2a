"""`kiosk printer ...` run as a real process against the fake printer on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image

from kiosk.hardware.printer.sample import sample_ticket
from tests.support.escpos_fake import FakePrinterServer
from tests.support.escpos_parser import Qr, Text

REPO = Path(__file__).resolve().parents[3]


def kiosk(*args: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "printer", *args],
        cwd=REPO,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def test_status_prints_the_state_and_the_raw_bytes(fake_printer: FakePrinterServer) -> None:
    code, out = kiosk("status", "--to", fake_printer.uri)
    assert code == 0
    assert out["state"] == "ready"
    assert out["raw"] == {"printer": "12", "offline_cause": "12", "paper": "12"}
    fake_printer.printer.faults.paper_out = True
    code, out = kiosk("status", "--to", fake_printer.uri)
    assert code == 1
    assert out["state"] == "paper_out"
    assert out["raw"]["paper"] == "7e"


def test_test_print_prints_the_sample_ticket_and_confirms_it(fake_printer: FakePrinterServer) -> None:
    code, out = kiosk("test-print", "--to", fake_printer.uri, "--paper", "58")
    assert code == 0, out
    assert out["confirmed"] is True
    assert "error" not in out
    [ticket] = fake_printer.printer.tickets()
    assert [e.text for e in ticket if isinstance(e, Text)] == [sample_ticket().display_number]
    assert [e.payload for e in ticket if isinstance(e, Qr)] == [sample_ticket().status_url]


def test_test_print_fails_with_an_error_when_the_printer_is_not_usable(fake_printer: FakePrinterServer) -> None:
    fake_printer.printer.faults.cover_open = True
    code, out = kiosk("test-print", "--to", fake_printer.uri)
    assert code == 1
    assert out["error"] == "cover_open"
    assert out["sent"] is False
    assert fake_printer.printer.printed == []


def test_bad_uris_are_refused_with_a_reason() -> None:
    code, out = kiosk("status", "--to", "serial:///dev/ttyUSB0?baud=9600")
    assert code == 2
    assert out["error"] == "baud_too_slow"


def test_preview_writes_a_scannable_png(tmp_path: Path) -> None:
    target = tmp_path / "ticket.png"
    code, out = kiosk("preview", "--out", str(target), "--paper", "58")
    assert code == 0
    assert out["paper_mm"] == 58
    image = Image.open(target)
    assert image.width == 384
    assert [r.text for r in zxingcpp.read_barcodes(image.convert("L"))] == [sample_ticket().status_url]
