"""Printer tests: python-escpos must not leave a temp dir per import, and the fake printer is started per test."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:  # run_tests.py sets it; direct pytest runs get their own
    _cache = tempfile.mkdtemp(prefix="escpos-capabilities-")
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = _cache
    atexit.register(shutil.rmtree, _cache, ignore_errors=True)

from tests.support.escpos_fake import FakePrinterPty, FakePrinterServer


@pytest.fixture
def fake_printer() -> Iterator[FakePrinterServer]:
    server = FakePrinterServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_serial_printer() -> Iterator[FakePrinterPty]:
    pty = FakePrinterPty().start()
    yield pty
    pty.stop()
