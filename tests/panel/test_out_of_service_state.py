"""What the out-of-service panel's state does without the panel: one log line per change of reason (never per
retry), waits that double up to a cap with a little jitter, and noticing that IT wrote a file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.domain.out_of_service import OutOfService
from kiosk.runtime.out_of_service import Backoff, Board, changed


def test_a_reason_is_logged_once_and_again_only_when_it_changes(caplog: pytest.LogCaptureFixture) -> None:
    shown: list[tuple[OutOfService, str]] = []
    with caplog.at_level(logging.WARNING, logger="kiosk.run"):
        board = Board("sanh-a-01", OutOfService.NOT_CONNECTED, "not_connected: Connection refused")
        board.on_change = lambda reason, detail: shown.append((reason, detail))
        for _ in range(5):  # five retries, the same trouble
            board.say(OutOfService.NOT_CONNECTED, "not_connected: Connection refused")
        board.say(OutOfService.CERTIFICATE_NOT_TRUSTED, "certificate_not_trusted: certificate has expired")
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "out of service: not_connected (not_connected: Connection refused)",
        "out of service: certificate_not_trusted (certificate_not_trusted: certificate has expired)",
    ]
    assert shown == [(OutOfService.CERTIFICATE_NOT_TRUSTED, "certificate_not_trusted: certificate has expired")]


def test_waits_double_up_to_the_cap_with_at_most_a_fifth_less() -> None:
    backoff = Backoff(first=5, cap=60)
    delays = [backoff.delay() for _ in range(8)]
    nominal = [5, 10, 20, 40, 60, 60, 60, 60]
    assert all(0.8 * n <= d <= n for d, n in zip(delays, nominal, strict=True)), delays


def test_a_file_written_created_or_removed_is_noticed(tmp_path: Path) -> None:
    settings, credentials = tmp_path / "kiosk.toml", tmp_path / "credentials.json"
    settings.write_text("a")
    written = changed([settings, credentials])
    assert not written()
    credentials.write_text("{}")  # kiosk enrol
    assert written()
    edited = changed([settings])
    settings.write_text("b")
    assert edited()
