"""A full disk under a serving hub: `kiosk-hub serve` on a SQLite file in a small tmpfs that the test fills.

Every request is answered (a ticket, or 503 `store_unavailable` with `Retry-After`; never a dropped connection or a
500), `/healthz` says why, nothing is corrupted, and once space is freed the kiosks' retries (same Idempotency-Key)
get tickets whose numbers go on with no repeat and no gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.hub.conftest import prepared_database
from tests.hub.servers import hub_process

CLIENTS, EACH = 8, 25
LANES = [("KKB", "normal"), ("NOI", "normal"), ("NOI", "priority")]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MiB tmpfs, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (the test suite runs as root in CI)")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        if os.path.ismount(mount):
            subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Writes a file until the disk is full; returns it (delete it to free the space)."""
    filler = disk / "filler"
    # Unbuffered: a buffered file would keep the last partial block and raise ENOSPC again when closed.
    with contextlib.suppress(OSError), filler.open("wb", buffering=0) as out:
        while True:
            out.write(b"\0" * 65536)
    return filler


async def burst(url: str, token: str, prefix: str) -> list[tuple[str, httpx.Response]]:
    """CLIENTS kiosks, each sending EACH tickets one after another on its own keep-alive connection."""

    async def kiosk(k: int) -> list[tuple[str, httpx.Response]]:
        got = []
        async with httpx.AsyncClient(base_url=url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as c:
            for i in range(EACH):
                key = f"{prefix}-{k}-{i}"
                department, lane = LANES[(k + i) % len(LANES)]
                body = {"department_id": department, "lane": lane}
                got.append((key, await c.post("/api/v1/tickets", json=body, headers={"Idempotency-Key": key})))
        return got

    return [answer for answers in await asyncio.gather(*(kiosk(k) for k in range(CLIENTS))) for answer in answers]


def numbers(answers: list[tuple[str, httpx.Response]]) -> dict[str, tuple[str, str, int]]:
    out = {}
    for key, response in answers:
        if response.status_code in (200, 201):
            ticket = response.json()
            out[key] = (ticket["department_id"], ticket["lane"], ticket["number"])
    return out


def test_a_full_disk_answers_every_request_and_corrupts_nothing(small_disk: Path) -> None:
    database = small_disk / "hub.sqlite3"
    url = f"sqlite:///{database}"
    token = prepared_database(url)
    with hub_process(url, {"KIOSK_HUB_MIN_FREE_DISK_MB": "1"}) as base:
        before = asyncio.run(burst(base, token, "before"))
        assert {r.status_code for _, r in before} == {201}

        filler = fill(small_disk)
        during = asyncio.run(burst(base, token, "during"))  # an httpx error here is a dropped connection
        statuses = Counter(r.status_code for _, r in during)
        assert set(statuses) <= {201, 503}, statuses
        assert statuses[503] > 0
        for _, response in during:
            if response.status_code == 503:
                assert response.headers["content-type"] == "application/problem+json"
                assert response.headers["retry-after"] == "30"
                assert response.json()["code"] == "store_unavailable"
                assert response.json()["detail"] == "disk_full"
        health = httpx.get(f"{base}/healthz", timeout=10)
        assert health.status_code == 503
        assert health.json()["detail"] == "disk_full"

        filler.unlink()
        # Each kiosk asks again for what failed, with the same key, as the kiosk's client does after Retry-After.
        retried = asyncio.run(retry(base, token, [(k, r) for k, r in during if r.status_code == 503]))
        assert {r.status_code for _, r in retried} <= {200, 201}
        after = asyncio.run(burst(base, token, "after"))
        assert {r.status_code for _, r in after} == {201}
        assert httpx.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}

    answered = numbers(before) | numbers(during) | numbers(retried) | numbers(after)
    assert len(answered) == 3 * CLIENTS * EACH  # every request has its ticket
    per_lane = Counter((d, lane) for d, lane, _ in answered.values())
    assert sorted(answered.values()) == sorted(
        (d, lane, n) for (d, lane), count in per_lane.items() for n in range(1, count + 1)
    )  # each lane numbered 1..N: no number twice, none skipped
    with contextlib.closing(sqlite3.connect(database)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM tickets").fetchone() == (len(answered),)


async def retry(url: str, token: str, failed: list[tuple[str, httpx.Response]]) -> list[tuple[str, httpx.Response]]:
    async with httpx.AsyncClient(base_url=url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as c:
        out = []
        for key, response in failed:
            body = response.request.content
            headers = {"Idempotency-Key": key, "Content-Type": "application/json"}
            out.append((key, await c.post("/api/v1/tickets", content=body, headers=headers)))
        return out
