"""The offline store on a real SQLite file and the breaker on a fake clock: keys, ciphertext, deletion, states."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from kiosk.offline.breaker import BreakerState, CircuitBreaker
from kiosk.offline.store import STORE_FILE, HeldLease, LeaseExhaustedError, OfflineStore
from kiosk.offline.vault import KEY_FILE

DAY = date(2026, 11, 23)
ENTRY = {"patient": {"full_name": "Trần Thị Lệ Thu", "id_number": "001161009876"}, "department_id": "NOI"}


def _store(tmp_path: Path, size: int = 3) -> OfflineStore:
    store = OfflineStore(tmp_path)
    renew = datetime(2026, 11, 23, 3, tzinfo=UTC)
    store.keep_lease(HeldLease("NOI", "normal", "lease-1", DAY, 11, 10 + size, 11, renew))
    return store


def test_the_key_file_is_created_readable_by_the_kiosk_only(tmp_path: Path) -> None:
    _store(tmp_path).close()
    mode = stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode)
    assert mode == 0o600
    assert len((tmp_path / KEY_FILE).read_bytes()) == 32


def test_numbers_come_from_the_lease_in_order_until_it_runs_out(tmp_path: Path) -> None:
    store = _store(tmp_path, size=2)
    assert store.journal_ticket("NOI", "normal", DAY, "k1", ENTRY) == 11
    assert store.journal_ticket("NOI", "normal", DAY, "k2", ENTRY) == 12
    with pytest.raises(LeaseExhaustedError):
        store.journal_ticket("NOI", "normal", DAY, "k3", ENTRY)
    with pytest.raises(LeaseExhaustedError):  # a lease of another day is never used
        store.journal_ticket("NOI", "normal", date(2026, 11, 24), "k4", ENTRY)
    assert [key for key, _ in store.pending()] == ["k1", "k2"]


def test_the_journal_is_ciphertext_survives_a_reopen_and_is_wiped_when_forgotten(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.journal_ticket("NOI", "normal", DAY, "k1", ENTRY)
    store.close()
    blob = (tmp_path / STORE_FILE).read_bytes()
    assert "Lệ Thu".encode() not in blob
    assert b"001161009876" not in blob
    store = OfflineStore(tmp_path)
    (key, entry), *_ = store.pending()
    assert entry["patient"] == ENTRY["patient"]
    assert entry["number"] == 11
    sealed = store._db.execute("SELECT sealed FROM journal").fetchone()[0]
    store.forget([key])
    store.close()
    assert sealed[:16] not in (tmp_path / STORE_FILE).read_bytes()  # secure_delete zeroed the page
    assert store_size(tmp_path) == 0


def store_size(directory: Path) -> int:
    store = OfflineStore(directory)
    try:
        return store.journal_size()
    finally:
        store.close()


def test_a_row_moved_to_another_key_does_not_open(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.journal_ticket("NOI", "normal", DAY, "k1", ENTRY)
    store._db.execute("UPDATE journal SET key = 'k9'")
    with pytest.raises(InvalidTag):
        store.pending()
    store.close()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_opens_fails_fast_lets_one_probe_through_and_closes() -> None:
    clock = Clock()
    breaker = CircuitBreaker("hub", open_for_s=5, clock=clock)
    assert breaker.allow()
    breaker.failed()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    clock.now += 5
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # only one
    breaker.failed()
    assert breaker.state is BreakerState.OPEN
    clock.now += 5
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow()


def test_a_breaker_may_need_several_failures() -> None:
    breaker = CircuitBreaker("printer", failures_to_open=2, clock=Clock())
    breaker.failed()
    assert breaker.state is BreakerState.CLOSED
    breaker.failed()
    assert breaker.state is BreakerState.OPEN
