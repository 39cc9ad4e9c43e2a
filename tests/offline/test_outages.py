"""Outages on real parts: the hub as its own process on loopback HTTP (SQLite), cut, slowed and restarted while
kiosks check patients in. After each: one ticket per patient, no number twice, the journal empty, no personal data
left in the kiosk's data directory."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from kiosk.flow.records import PresentedIdentity
from tests.hub.servers import REPO
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


async def test_a_slow_hub_sends_patients_down_the_lease_and_a_lost_answer_is_renumbered(
    tmp_path: Path, gateway_url: str
) -> None:
    site = HubSite.create(tmp_path, gateway_url)
    data = tmp_path / "kiosk"
    printed: dict[str, int] = {}
    with FaultyLink() as link, site.serving(link):
        async with kiosk(data, link.url, site.tokens[0]) as his:
            await his.maintain()
            patient = await his.find_patient(AN.lookup_kind, AN.lookup_value)
            assert patient is not None
            link.delay_s = 1.5  # every answer now arrives after the kiosk's 1 s patience
            started = time.monotonic()
            ticket = await check_in(his, AN, key="an-lost-answer")
            assert ticket.provisional
            assert time.monotonic() - started < 2.5  # one wait of ~1 s, then the open breaker answers at once
            printed[str(AN.id_number)] = ticket.number
            for who in NEW[:2]:
                printed[str(who.id_number)] = (await check_in(his, who)).number
            link.delay_s = 0.0
            await asyncio.sleep(0.25)
            assert await his.maintain() == 3
            assert his.health()["journal"] == 0
    assert_one_ticket_each(site, [AN, *NEW[:2]], printed)
    outcomes = site.rows("SELECT outcome FROM lease_replays ORDER BY provisional_number")
    assert ("renumbered",) in outcomes or ("placed",) in outcomes
    assert leaks(data, AN, *NEW) == []


async def test_the_hub_restarted_with_the_lease_half_used(tmp_path: Path, gateway_url: str) -> None:
    site = HubSite.create(tmp_path, gateway_url)
    data = tmp_path / "kiosk"
    printed: dict[str, int] = {}
    with FaultyLink() as link:
        async with kiosk(data, link.url, site.tokens[0]) as his:
            with site.serving(link):
                await his.maintain()
            lease = next(x for x in his.held_leases() if x.department_id == "NOI" and x.lane == "normal")
            for who in NEW[:2]:  # part of the block used while the hub is down
                printed[str(who.id_number)] = (await check_in(his, who)).number
            with site.serving(link):  # a new hub process on the same database
                await asyncio.sleep(0.25)
                assert await his.maintain() == 2
                online = await check_in(his, AN)
                assert not online.provisional
                assert online.number > lease.last_number  # the hub never hands out a leased number
                printed[str(AN.id_number)] = online.number
            kept = next(x for x in his.held_leases() if x.department_id == "NOI" and x.lane == "normal")
            later = await check_in(his, NEW[2])  # the hub is gone again: the rest of the same block
            assert later.provisional
            assert later.number == lease.first_number + 2 == kept.next_number
            printed[str(NEW[2].id_number)] = later.number
            with site.serving(link):
                await asyncio.sleep(0.25)
                assert await his.maintain() == 1
    assert_one_ticket_each(site, [AN, *NEW[:3]], printed)
    assert leaks(data, AN, *NEW) == []


async def test_two_kiosks_offline_at_once_and_one_patient_at_both(tmp_path: Path, gateway_url: str) -> None:
    site = HubSite.create(tmp_path, gateway_url, kiosks=2)
    dirs = [tmp_path / "kiosk-a", tmp_path / "kiosk-b"]
    printed: dict[str, int] = {}
    with FaultyLink() as link:
        async with (
            kiosk(dirs[0], link.url, site.tokens[0]) as a,
            kiosk(dirs[1], link.url, site.tokens[1]) as b,
        ):
            with site.serving(link):
                await a.maintain()
                await b.maintain()
            tickets = await asyncio.gather(
                check_in(a, NEW[0]), check_in(b, NEW[1]), check_in(a, NEW[2]), check_in(b, NEW[3])
            )
            twice_a, twice_b = await check_in(a, AN), await check_in(b, AN)  # the same patient at both kiosks
            assert all(t.provisional for t in [*tickets, twice_a, twice_b])
            numbers = [t.number for t in [*tickets, twice_a, twice_b]]
            assert len(set(numbers)) == len(numbers)  # apart, the two kiosks never print the same number
            for who, ticket in zip(NEW, tickets, strict=True):
                printed[str(who.id_number)] = ticket.number
            with site.serving(link):
                await asyncio.sleep(0.25)
                assert await a.maintain() + await b.maintain() == 6
    outcomes = sorted(str(r[0]) for r in site.rows("SELECT outcome FROM lease_replays"))
    assert outcomes == ["merged", "placed", "placed", "placed", "placed", "placed"]
    an_numbers = site.rows("SELECT t.number FROM tickets t JOIN demo_patients p ON p.id = t.patient_ref "
                           "WHERE p.id_number = '001085000001'")  # fmt: skip
    assert an_numbers == [(twice_a.number,)]  # the first registration stands; the second is merged into it
    printed[str(AN.id_number)] = twice_a.number
    assert_one_ticket_each(site, [AN, *NEW], printed)
    for directory in dirs:
        assert leaks(directory, AN, *NEW) == []


def run_until_killed(cmd: list[str]) -> list[str]:
    """Run a kiosk process until it says its ticket is journaled, then SIGKILL it (by its PID)."""
    child = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert child.stdout is not None
        return child.stdout.readline().decode().split()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


async def test_a_kiosk_killed_between_journal_and_print_loses_nothing(tmp_path: Path, gateway_url: str) -> None:
    site = HubSite.create(tmp_path, gateway_url)
    data = tmp_path / "kiosk"
    with FaultyLink() as link:
        async with kiosk(data, link.url, site.tokens[0]) as his:
            with site.serving(link):
                await his.maintain()
        cmd = [sys.executable, "-m", "tests.offline.kiosk_child", str(data), link.url, site.tokens[0]]
        line = run_until_killed(cmd)
        assert line[0] == "JOURNALED"
        assert line[2] == "1"
        number = int(line[1])
        async with kiosk(data, link.url, site.tokens[0]) as his:
            assert his.health()["journal"] == 1  # survived the kill
            other = await check_in(his, NEW[1])  # still offline: the next number, never the journaled one
            assert other.number == number + 1
            with site.serving(link):
                await asyncio.sleep(0.25)
                assert await his.maintain() == 2
                retry = await check_in(his, NEW[0])  # the patient, without paper, asks again
                assert retry.reprint
                assert retry.number == number
    assert_one_ticket_each(site, [NEW[0], NEW[1]], {str(NEW[0].id_number): number, str(NEW[1].id_number): number + 1})
    assert leaks(data, *NEW) == []
