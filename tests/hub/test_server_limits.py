"""What a slow or greedy client may hold of the hub, tried with raw sockets over loopback: deadlines for a request's
head and body, a head-size cap, a cap per client address, and the oldest idle socket closed to let a new client in.

The hub's real app on a SQLite file, served by uvicorn in a thread with small limits (`kiosk_hub.serving.run`'s
settings); the open-file test runs `kiosk-hub serve` itself in tests/hub/test_open_file_limit.py.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from kiosk_hub.app import create_app
from kiosk_hub.hub import build_hub
from kiosk_hub.serving.connections import ConnectionBook, ConnectionLimits
from kiosk_hub.serving.run import server_config
from kiosk_hub.settings import HubSettings, ServerLimits
from tests.hub.conftest import enrol, seed
from tests.hub.raw_http import close_all, closed_by_peer, connect, read_answer, request_head
from tests.hub.servers import serve_config_in_thread

PROXY = "127.0.0.1"  # exempt from the per-address cap, as a reverse proxy on the hub's host is
LIMITS = ConnectionLimits(
    head_seconds=0.6,
    body_seconds=0.6,
    max_head_bytes=8 * 1024,
    per_address=4,
    total=12,
    requests_per_connection=3,
    exempt_addresses=frozenset({PROXY}),
)


@dataclass
class GuardedHub:
    port: int
    token: str
    book: ConnectionBook

    def departments(self) -> bytes:
        return request_head("GET", "/api/v1/departments", {"Authorization": f"Bearer {self.token}"})


@contextlib.contextmanager
def guarded_hub(sqlite_url: str, limits: ConnectionLimits) -> Iterator[GuardedHub]:
    hub = build_hub(HubSettings(database_url=sqlite_url))
    seed(hub)
    token = enrol(hub)
    book = ConnectionBook(limits)
    config = server_config(
        create_app(hub, background=False), ServerLimits(), book, host="127.0.0.1", port=0, log_level="warning"
    )
    try:
        with serve_config_in_thread(config) as url:
            yield GuardedHub(int(url.rsplit(":", 1)[1]), token, book)
    finally:
        hub.engine.dispose()


@pytest.fixture
def guarded(sqlite_url: str) -> Iterator[GuardedHub]:
    with guarded_hub(sqlite_url, LIMITS) as served:
        yield served


def test_one_address_gets_its_cap_of_sockets_and_others_are_still_served(guarded: GuardedHub) -> None:
    held = [connect(guarded.port, "127.0.0.2") for _ in range(LIMITS.per_address)]
    try:
        over = connect(guarded.port, "127.0.0.2")
        answer = read_answer(over)
        assert answer.status == 503
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["retry-after"] == "5"
        assert json.loads(answer.body)["code"] == "too_many_connections"
        assert closed_by_peer(over)
        over.close()
        other = connect(guarded.port, "127.0.0.3")
        other.sendall(guarded.departments())
        assert read_answer(other).status == 200
        other.close()
        # The sockets within the cap were kept: each still gets its answer.
        held[0].sendall(guarded.departments())
        assert read_answer(held[0]).status == 200
        held.pop().close()
        time.sleep(0.1)  # the server sees the close
        again = connect(guarded.port, "127.0.0.2")
        again.sendall(guarded.departments())
        assert read_answer(again).status == 200
        again.close()
    finally:
        close_all(held)


def test_the_proxy_address_is_not_capped_per_address(guarded: GuardedHub) -> None:
    held = [connect(guarded.port, PROXY) for _ in range(LIMITS.per_address + 2)]
    try:
        for sock in held:
            sock.sendall(guarded.departments())
            assert read_answer(sock).status == 200
    finally:
        close_all(held)


def test_a_head_that_never_ends_is_answered_408_at_its_deadline_however_it_trickles(sqlite_url: str) -> None:
    with guarded_hub(sqlite_url, replace(LIMITS, head_seconds=1.0)) as served:
        silent = connect(served.port, "127.0.0.2")
        trickling = connect(served.port, "127.0.0.3")
        started = time.monotonic()
        try:
            # A byte every 20 ms until just before the deadline: were each byte to reset it (an idle timeout), the
            # answer would come a whole deadline after the last byte, not at the deadline.
            for byte in b"GET /api/v1/departments HTTP/1.1\r\nHost: hub\r\nAccept: */*\r\n":
                if time.monotonic() - started > 0.8:
                    break
                trickling.sendall(bytes([byte]))
                time.sleep(0.02)
            for sock in (silent, trickling):
                answer = read_answer(sock)
                assert answer.status == 408
                assert json.loads(answer.body)["code"] == "request_timeout"
                assert closed_by_peer(sock)
            assert 0.9 <= time.monotonic() - started < 1.7
            assert served.book.timed_out == 2
        finally:
            close_all([silent, trickling])


def test_a_kept_alive_socket_gets_a_new_deadline_for_its_next_head(guarded: GuardedHub) -> None:
    sock = connect(guarded.port, "127.0.0.2")
    try:
        sock.sendall(guarded.departments())
        assert read_answer(sock).status == 200
        sock.sendall(b"GET /api/v1/departments HTTP/1.1\r\n")
        started = time.monotonic()
        assert read_answer(sock).status == 408
        assert 0.3 <= time.monotonic() - started < 3.0
    finally:
        sock.close()


def test_a_body_that_stops_coming_is_answered_408_and_the_hub_serves_on(guarded: GuardedHub) -> None:
    sock = connect(guarded.port, "127.0.0.2")
    try:
        head = request_head(
            "POST",
            "/api/v1/tickets",
            {
                "Authorization": f"Bearer {guarded.token}",
                "Idempotency-Key": "slow-body",
                "Content-Type": "application/json",
                "Content-Length": "200",
            },
        )
        sock.sendall(head + b'{"department_id": "KKB", ')
        started = time.monotonic()
        answer = read_answer(sock)
        assert answer.status == 408
        assert 0.4 <= time.monotonic() - started < 3.0
        assert closed_by_peer(sock)
    finally:
        sock.close()
    fresh = connect(guarded.port, "127.0.0.2")
    fresh.sendall(guarded.departments())
    assert read_answer(fresh).status == 200
    fresh.close()


def test_a_head_over_the_size_cap_is_refused_431(guarded: GuardedHub) -> None:
    sock = connect(guarded.port, "127.0.0.2")
    try:
        sock.sendall(b"GET /api/v1/departments HTTP/1.1\r\nHost: hub\r\n")
        with contextlib.suppress(OSError):  # the server may close while the rest is still being sent
            for _ in range(40):
                sock.sendall(b"X-Padding: " + b"a" * 500 + b"\r\n")
        answer = read_answer(sock)
        assert answer.status == 431
        assert json.loads(answer.body)["code"] == "headers_too_large"
    finally:
        sock.close()


def test_a_keep_alive_connection_is_closed_after_its_last_allowed_request(guarded: GuardedHub) -> None:
    sock = connect(guarded.port, "127.0.0.2")
    try:
        answers = []
        for _ in range(LIMITS.requests_per_connection):
            sock.sendall(guarded.departments())
            answers.append(read_answer(sock))
        assert [a.status for a in answers] == [200] * LIMITS.requests_per_connection
        assert [a.headers.get("connection") for a in answers][-1] == "close"
        assert all(a.headers.get("connection") != "close" for a in answers[:-1])
        assert closed_by_peer(sock)
    finally:
        sock.close()


def test_at_the_process_cap_a_new_client_takes_the_oldest_idle_socket(guarded: GuardedHub) -> None:
    idle = []
    for _ in range(LIMITS.total):
        idle.append(connect(guarded.port, PROXY))
        time.sleep(0.01)  # admitted one after another: the first is the oldest
    newcomer = connect(guarded.port, PROXY)
    try:
        newcomer.sendall(guarded.departments())
        assert read_answer(newcomer).status == 200
        assert closed_by_peer(idle[0])
        assert not closed_by_peer(idle[-1], wait=0.2)
        assert guarded.book.evicted >= 1
        assert len(guarded.book.open) <= LIMITS.total
    finally:
        close_all([*idle, newcomer])


def test_at_the_process_cap_with_every_socket_serving_a_newcomer_is_told_to_retry(sqlite_url: str) -> None:
    patient = replace(LIMITS, head_seconds=10, body_seconds=10)
    with guarded_hub(sqlite_url, patient) as served:
        # Each sends a whole head and half its body: a request in progress, never closed to make room.
        head = request_head("POST", "/api/v1/tickets", {"Content-Type": "application/json", "Content-Length": "50"})
        busy = [connect(served.port, PROXY) for _ in range(patient.total)]
        try:
            for sock in busy:
                sock.sendall(head + b"{")
            time.sleep(0.2)
            newcomer = connect(served.port, PROXY)
            answer = read_answer(newcomer)
            assert answer.status == 503
            assert json.loads(answer.body)["code"] == "too_many_connections"
            newcomer.close()
            assert not any(closed_by_peer(sock, wait=0.05) for sock in busy)
        finally:
            close_all(busy)
