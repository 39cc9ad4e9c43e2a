"""The composition root's wrapper on a real hub process: the background round takes leases, replays by itself once
the hub is back, and gives yesterday's blocks back at the day's turn."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from kiosk.backend_client.client import HisClient
from kiosk.domain.dates import local_date
from kiosk.offline.store import STORE_FILE
from kiosk.runtime.hub import resilient
from tests.offline.harness import FaultyLink, HubSite, check_in, kiosk, leaks, person

pytestmark = pytest.mark.slow
WHO = person("Vũ Thị Mai Anh", "001196000123", "1996-02-29")


async def eventually(condition: Callable[[], bool], within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


async def test_the_background_round_leases_and_replays_by_itself(tmp_path: Path, gateway_url: str) -> None:
    site = HubSite.create(tmp_path, gateway_url)
    data = tmp_path / "kiosk"
    with FaultyLink() as link:
        async with httpx.AsyncClient(base_url=link.url) as http:
            client = HisClient(http, token=site.tokens[0])
            async with resilient(client, http, site.tokens[0], data_dir=data, every_s=0.2) as his:
                with site.serving(link):
                    lanes = 2 * int(str(site.rows("SELECT count(*) FROM departments")[0][0]))
                    await eventually(lambda: len(his.held_leases()) == lanes, 15)  # every department lane
                ticket = await check_in(his, WHO)
                assert ticket.provisional
                assert his.health() == {"hub": "open", "journal": 1}
                with site.serving(link):
                    await eventually(lambda: his.health()["journal"] == 0, 20)  # the breaker stays open 5 s
    rows = site.rows("SELECT t.number FROM tickets t JOIN demo_patients p ON p.id = t.patient_ref")
    assert rows == [(ticket.number,)]
    assert leaks(data, WHO) == []


async def test_at_the_days_turn_yesterdays_blocks_go_back(tmp_path: Path, gateway_url: str) -> None:
    site = HubSite.create(tmp_path, gateway_url)
    data = tmp_path / "kiosk"
    with FaultyLink() as link, site.serving(link):
        async with kiosk(data, link.url, site.tokens[0]) as his:
            await his.maintain()
            first = {lease.lease_id for lease in his.held_leases()}
            _age_leases(data)
            await his.maintain()
            second = his.held_leases()
    assert first.isdisjoint({lease.lease_id for lease in second})
    assert {lease.day for lease in second} == {local_date(datetime.now(UTC))}
    returned = site.rows("SELECT id FROM number_leases WHERE returned_at IS NOT NULL")
    assert {str(r[0]) for r in returned} == first


def _age_leases(data: Path) -> None:
    db = sqlite3.connect(data / STORE_FILE)
    with db:
        db.execute("UPDATE leases SET day = '2026-01-01'")
    db.close()
