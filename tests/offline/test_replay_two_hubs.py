"""Replays raced against two hub processes on one SQLite file: the same journal sent to both at once still makes
one ticket per registration, and both answers agree."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.hub.servers import hub_process
from tests.offline.harness import HubSite
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.slow


async def test_the_same_journal_replayed_on_two_hubs_at_once(tmp_path: Path, gateway_url: str) -> None:
    site = HubSite.create(tmp_path, gateway_url, kiosks=2)
    await race(site)
    await disjoint_grants(site)


@pytest.mark.postgres
async def test_the_same_journal_replayed_on_two_hubs_sharing_postgresql(
    postgres: PostgresServer, gateway_url: str
) -> None:
    site = HubSite.create_at(postgres.create_database("offline_replay_race"), gateway_url, kiosks=2)
    await race(site)
    await disjoint_grants(site)


async def disjoint_grants(site: HubSite) -> None:
    """Two kiosks renewing leases through two hub processes at once never get overlapping blocks."""
    with hub_process(site.database_url) as one, hub_process(site.database_url) as two:
        async with httpx.AsyncClient(timeout=60) as http:

            async def grant(url: str, token: str) -> tuple[int, int]:
                answer = await http.post(
                    f"{url}/api/v1/leases",
                    json={"department_id": "NGOAI", "lane": "priority"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert answer.status_code == 201, answer.text
                return answer.json()["first_number"], answer.json()["last_number"]

            blocks = await asyncio.gather(
                *(grant(url, token) for _ in range(10) for url, token in ((one, site.tokens[0]), (two, site.tokens[1])))
            )
    taken = [n for first, last in blocks for n in range(first, last + 1)]
    assert len(taken) == len(set(taken))


async def race(site: HubSite) -> None:
    headers = {"Authorization": f"Bearer {site.tokens[0]}"}
    with hub_process(site.database_url) as one, hub_process(site.database_url) as two:
        async with httpx.AsyncClient(headers=headers, timeout=60) as http:
            lease = (await http.post(f"{one}/api/v1/leases", json={"department_id": "NOI"})).json()
            batch = [
                {
                    "idempotency_key": f"k{n}",
                    "department_id": "NOI",
                    "lane": "normal",
                    "number": lease["first_number"] + n,
                    "day": lease["day"],
                    "issued_at": "2026-11-23T02:10:00+00:00",
                    "visit_type": "fee",
                    "patient": {
                        "full_name": f"Bệnh Nhân {chr(65 + n)}",
                        "date_of_birth": "1990",
                        "id_number": f"00119000000{n}",
                    },
                }
                for n in range(4)
            ]
            answers = await asyncio.gather(
                *(http.post(f"{url}/api/v1/leases/replay", json={"registrations": batch}) for url in (one, two, one))
            )
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    ids = [[r["ticket"]["id"] for r in a.json()["replayed"]] for a in answers]
    assert ids[0] == ids[1] == ids[2]
    assert site.rows("SELECT count(*) FROM tickets") == [(4,)]
    assert site.rows("SELECT count(*) FROM lease_replays") == [(4,)]
    numbers = sorted(int(str(r[0])) for r in site.rows("SELECT number FROM tickets"))
    assert numbers == [lease["first_number"] + n for n in range(4)]
