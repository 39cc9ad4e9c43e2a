"""A flood of half-sent requests against `kiosk-hub serve` under the usual soft open-file limit of 1,024: more
sockets than the process may open, from many addresses, and real kiosks' tickets still go through at once.

Without the limits each half-sent request held a descriptor until its client left: past ~1,000 of them every
accept failed (EMFILE) and no real request got in.
"""

from __future__ import annotations

import asyncio
import resource
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.hub.conftest import prepared_database
from tests.hub.raw_http import close_all, connect
from tests.hub.servers import hub_process

SOFT_LIMIT = 1024
HALF_SENT = 1100
# Spread over many addresses, so the per-address cap (64) is not what saves the hub: the process-wide cap is.
ADDRESSES = [f"127.0.0.{n}" for n in range(2, 42)]
KIOSKS = 20
HEAD = b"POST /api/v1/tickets HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"


@pytest.fixture
def enough_descriptors_here() -> Iterator[None]:
    """This test process holds the 1,100 attacking sockets itself."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
    if wanted < HALF_SENT + 200:
        pytest.skip(f"the hard open-file limit ({hard}) is too low for {HALF_SENT} client sockets")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def half_sent_flood(port: int) -> tuple[list[socket.socket], int]:
    """HALF_SENT connections that each send the start of a head and stop; (the sockets, how many the hub closed
    while the flood was still coming)."""
    socks, closed = [], 0
    for n in range(HALF_SENT):
        sock = connect(port, ADDRESSES[n % len(ADDRESSES)])
        try:
            sock.sendall(HEAD)
        except OSError:  # closed to make room for a newer one before its first bytes arrived
            closed += 1
        socks.append(sock)
    return socks, closed


async def kiosks_issue_tickets(url: str, token: str) -> list[tuple[int, float]]:
    """KIOSKS tickets at once, each on a connection of its own: (status, seconds) for each."""

    async def one(n: int) -> tuple[int, float]:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            started = time.monotonic()
            response = await client.post(
                "/api/v1/tickets",
                json={"department_id": "KKB", "lane": "normal"},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"real-{n}"},
            )
            return response.status_code, time.monotonic() - started

    return await asyncio.gather(*(one(n) for n in range(KIOSKS)))


@pytest.mark.usefixtures("enough_descriptors_here")
def test_half_sent_requests_past_the_open_file_limit_leave_real_tickets_prompt(sqlite_url: str) -> None:
    token = prepared_database(sqlite_url)
    log: list[str] = []
    with hub_process(sqlite_url, open_files=SOFT_LIMIT, log=log) as url:
        port = int(url.rsplit(":", 1)[1])
        flood, _closed = half_sent_flood(port)
        try:
            answers = asyncio.run(kiosks_issue_tickets(url, token))
            assert [status for status, _ in answers] == [201] * KIOSKS
            assert max(seconds for _, seconds in answers) < 5.0
            # Still a floor of half-sent sockets held: the hub was at its cap when the kiosks came.
            still_open = sum(1 for sock in flood if _open(sock))
            assert still_open >= 300
            health = httpx.get(f"{url}/healthz", params={"detail": "1"}, timeout=10).json()
            connections = health["checks"]["connections"]
            assert connections["open"] <= connections["cap"] < SOFT_LIMIT
            assert connections["evicted"] >= HALF_SENT - connections["cap"]
        finally:
            close_all(flood)
    text = "".join(log)
    assert "Too many open files" not in text
    assert "EMFILE" not in text


def _open(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
