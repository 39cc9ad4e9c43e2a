"""Outages on real parts: the hub as its own process on loopback HTTP (SQLite), cut, slowed and restarted while
kiosks check patients in. After each: one ticket per patient, no number twice, the journal empty, no personal data
left in the kiosk's data directory."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from kiosk.flow.records import PresentedIdentity
from tests.offline.harness import FaultyLink, HubSite, check_in, kiosk, leaks, person

pytestmark = pytest.mark.slow

AN = person("Nguyễn Văn An", "001085000001", "1985-03-15", "DN4010100000001")  # known to the HIS
NEW = [person(f"Đỗ Thị Hồng {chr(65 + n)}", f"0011950{n:05d}", "1995-05-05") for n in range(4)]  # not yet


def assert_one_ticket_each(site: HubSite, people: list[PresentedIdentity], printed: dict[str, int]) -> None:
    rows = site.rows(
        "SELECT p.id_number, t.number, t.lane FROM tickets t JOIN demo_patients p ON p.id = t.patient_ref "
        "WHERE t.department_id = 'NOI' AND t.status != 'cancelled'"
    )
    per_person = Counter(str(r[0]) for r in rows)
    assert {who.id_number: per_person[str(who.id_number)] for who in people} == {who.id_number: 1 for who in people}
    numbers = Counter(site.rows("SELECT number, lane FROM tickets WHERE department_id = 'NOI'"))
    assert max(numbers.values()) == 1
    in_queue = {str(r[0]): int(str(r[1])) for r in rows}
    assert {k: in_queue[k] for k in printed} == printed  # everyone is in the queue at the number on their paper


async def test_hub_stopped_mid_session_then_back(tmp_path: Path, gateway_url: str) -> None:
    site = HubSite.create(tmp_path, gateway_url)
    data = tmp_path / "kiosk"
    printed: dict[str, int] = {}
    with FaultyLink() as link:
        async with kiosk(data, link.url, site.tokens[0]) as his:
            with site.serving(link):
                await his.maintain()  # leases and the department list, as the background round does
                found = await his.find_patient(AN.lookup_kind, AN.lookup_value)
            assert found is not None  # the hub went away after the patient was found
            first = await check_in(his, AN)
            assert first.provisional
            printed[str(AN.id_number)] = first.number
            for who in NEW:
                ticket = await check_in(his, who)
                assert ticket.provisional
                printed[str(who.id_number)] = ticket.number
            assert his.health() == {"hub": "open", "journal": 5}
            assert leaks(data, AN, *NEW) == []  # the journal is ciphertext
            with site.serving(link):
                await asyncio.sleep(0.25)  # the open state ends: the next round probes the hub
                assert await his.maintain() == 5
                assert his.health() == {"hub": "closed", "journal": 0}
                again = await check_in(his, NEW[0])
                assert again.reprint
                assert again.number == printed[str(NEW[0].id_number)]
    assert len(set(printed.values())) == len(printed)
    assert_one_ticket_each(site, [AN, *NEW], printed)
    assert leaks(data, AN, *NEW) == []
    rechecks = site.rows("SELECT count(*) FROM entitlement_rechecks")
    assert rechecks == [(5,)]  # every card issued offline waits for the BHXH re-check
