"""Calling the next number: a HIS with the calling scope, or staff of that department at the console — never a kiosk
— and two callers at once never take the same ticket (two hub processes on SQLite, and on PostgreSQL)."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter

import httpx
import pytest

from kiosk_hub.access.roles import Role, Scope
from kiosk_hub.access.users import add_user, assign_place
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.fleet.console_client import PASSWORD, csrf_of, log_in
from tests.hub.conftest import HubUnderTest, add_integration, enrol, seed
from tests.hub.servers import hub_process
from tests.support.postgres import PostgresServer

TICKETS = 60
CALLS = 80  # more calls than tickets: the last ones find the queue empty


async def waiting(api: HubUnderTest, count: int, department: str = "NOI") -> None:
    for i in range(count):
        answer = await api.client.post("/api/v1/tickets", json={"department_id": department},
                                       headers={"Idempotency-Key": f"w-{department}-{i}"})  # fmt: skip
        assert answer.status_code == 201


async def test_a_kiosk_may_not_call_and_an_integration_needs_the_calling_scope(hub_api: HubUnderTest) -> None:
    await waiting(hub_api, 1)
    as_kiosk = await hub_api.client.post("/api/v1/departments/NOI/call-next")
    assert (as_kiosk.status_code, as_kiosk.json()["code"]) == (401, "unauthorized")
    events_only = add_integration(hub_api.hub, "feed-reader", frozenset({Scope.EVENTS}))
    no_scope = await hub_api.client.post(
        "/api/v1/departments/NOI/call-next", headers={"Authorization": f"Bearer {events_only}"}
    )
    assert (no_scope.status_code, no_scope.json()["code"]) == (403, "forbidden")
    called = await hub_api.client.post("/api/v1/departments/NOI/call-next", headers=hub_api.as_his)
    assert (called.status_code, called.json()["status"]) == (200, "called")


async def test_staff_call_their_own_department_from_the_console(hub_api: HubUnderTest) -> None:
    await waiting(hub_api, 2)
    with hub_api.hub.writer() as session:
        now = hub_api.hub.clock()
        for name in ("staff-noi", "staff-kkb"):
            add_user(session, name, PASSWORD, Role.STAFF, "test", now)
        session.flush()
        assign_place(session, "staff-noi", "NOI", None, "test", now)
        assign_place(session, "staff-kkb", "KKB", None, "test", now)
        session.commit()
    transport = hub_api.client._transport
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://hub.test") as noi,
        httpx.AsyncClient(transport=transport, base_url="http://hub.test") as kkb,
    ):
        assert (await log_in(noi, "staff-noi")).headers["location"] == "/fleet/account"
        await log_in(kkb, "staff-kkb")
        token = csrf_of((await noi.get("/fleet/account")).text)
        path = "/fleet/calling/departments/NOI/call-next"
        assert (await noi.post(path)).status_code == 403  # no CSRF token
        called = await noi.post(path, headers={"X-CSRF-Token": token})
        assert (called.status_code, called.json()["display_number"]) == (200, "0001")
        by_form = await noi.post(path, data={"csrf": token})
        assert by_form.json()["display_number"] == "0002"
        other = await kkb.post(path, headers={"X-CSRF-Token": csrf_of((await kkb.get("/fleet/account")).text)})
        assert other.status_code == 403  # KKB's staff do not call NOI
        assert (await noi.get("/fleet")).status_code == 403  # staff have no fleet pages


def prepare(database_url: str) -> tuple[str, str]:
    upgrade(database_url)
    hub = build_hub(HubSettings(database_url=database_url))
    seed(hub)
    kiosk, his = enrol(hub), add_integration(hub)
    hub.engine.dispose()
    return kiosk, his


async def calls_race(urls: list[str], kiosk: str, his: str) -> list[httpx.Response]:
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {kiosk}"}, timeout=60) as client:
        for i in range(TICKETS):
            answer = await client.post(f"{urls[i % len(urls)]}/api/v1/tickets", json={"department_id": "KKB"},
                                       headers={"Idempotency-Key": f"t-{i}"})  # fmt: skip
            assert answer.status_code == 201
    limits = httpx.Limits(max_connections=CALLS)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {his}"}, limits=limits, timeout=60) as caller:
        urls_cycle = itertools.cycle(urls)
        return list(await asyncio.gather(
            *(caller.post(f"{next(urls_cycle)}/api/v1/departments/KKB/call-next") for _ in range(CALLS))
        ))  # fmt: skip


def assert_each_ticket_called_once(answers: list[httpx.Response]) -> None:
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {200: TICKETS, 409: CALLS - TICKETS}, statuses
    called = [a.json()["id"] for a in answers if a.status_code == 200]
    assert len(set(called)) == TICKETS  # no ticket called twice
    sequence = sorted((a.json()["lane"], a.json()["number"]) for a in answers if a.status_code == 200)
    assert sequence == [("normal", n) for n in range(1, TICKETS + 1)]


@pytest.mark.slow
def test_two_callers_on_two_hub_processes_never_take_the_same_ticket_on_sqlite(sqlite_url: str) -> None:
    kiosk, his = prepare(sqlite_url)
    with hub_process(sqlite_url) as first, hub_process(sqlite_url) as second:
        assert_each_ticket_called_once(asyncio.run(calls_race([first, second], kiosk, his)))


@pytest.mark.slow
@pytest.mark.postgres
def test_two_callers_on_two_hub_processes_never_take_the_same_ticket_on_postgresql(postgres: PostgresServer) -> None:
    url = postgres.create_database("hub_calling")
    kiosk, his = prepare(url)
    with hub_process(url) as first, hub_process(url) as second:
        assert_each_ticket_called_once(asyncio.run(calls_race([first, second], kiosk, his)))
