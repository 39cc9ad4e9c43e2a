"""Console sign-in: throttled per account and per client address (a delay that doubles, then a lock an admin can
lift), failures audited without the password, and argon2 only ever on the hasher's own threads."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from kiosk_hub.access.passwords import NICENESS, THREAD_PREFIX
from kiosk_hub.access.roles import Role
from kiosk_hub.access.users import add_user
from kiosk_hub.app import create_app
from kiosk_hub.fleet.models import AuditEntry
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.settings import HubSettings
from tests.fleet.console_client import PASSWORD, csrf_of
from tests.hub.conftest import FakeClock, HubUnderTest
from tests.hub.servers import serve_in_thread

WRONG = "not-the-password-at-all"


def add_people(hub: Hub) -> None:
    with hub.writer() as session:
        add_user(session, "it-admin", PASSWORD, Role.ADMIN, "test", hub.clock())
        add_user(session, "xem", PASSWORD, Role.VIEWER, "test", hub.clock())
        session.commit()


async def sign_in(client: httpx.AsyncClient, username: str, password: str, **headers: str) -> httpx.Response:
    page = await client.get("/fleet/login")
    form = {"csrf": csrf_of(page.text), "username": username, "password": password}
    return await client.post("/fleet/login", data=form, headers=headers)


def signed_in(answer: httpx.Response) -> bool:
    return answer.status_code == 303 and answer.headers["location"] == "/fleet"


def audit(hub: Hub, action: str) -> list[AuditEntry]:
    with hub.reader() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


@pytest.fixture
def console(hub_api: HubUnderTest) -> HubUnderTest:
    add_people(hub_api.hub)
    hub_api.client.headers.pop("Authorization")
    return hub_api


async def test_a_wrong_password_is_audited_with_the_address_never_the_password(console: HubUnderTest) -> None:
    answer = await sign_in(console.client, "xem", WRONG)
    assert answer.headers["location"] == "/fleet/login?failed=1"
    await sign_in(console.client, "nobody", WRONG)
    failed = audit(console.hub, "user.login_failed")
    assert [(e.actor, e.detail) for e in failed] == [
        ("xem", '{"address": "127.0.0.1"}'),
        ("nobody", '{"address": "127.0.0.1"}'),
    ]
    with console.hub.reader() as session:
        everything = repr([(e.actor, e.action, e.target, e.detail) for e in session.scalars(select(AuditEntry))])
    assert WRONG not in everything


async def test_after_a_few_failures_even_the_right_password_waits_and_the_wait_doubles(
    console: HubUnderTest, clock: FakeClock
) -> None:
    for _ in range(3):  # free
        assert (await sign_in(console.client, "xem", WRONG)).status_code == 303
    assert (await sign_in(console.client, "xem", WRONG)).status_code == 303  # the 4th is checked: 1 s wait after
    right_too_soon = await sign_in(console.client, "xem", PASSWORD)
    assert right_too_soon.status_code == 429
    assert right_too_soon.headers["retry-after"] == "1"
    assert 'data-reason="throttled"' in right_too_soon.text
    clock.now += timedelta(seconds=1)
    assert (await sign_in(console.client, "xem", WRONG)).status_code == 303  # the 5th: 2 s wait after
    assert (await sign_in(console.client, "xem", PASSWORD)).headers["retry-after"] == "2"
    clock.now += timedelta(seconds=2)
    assert signed_in(await sign_in(console.client, "xem", PASSWORD))
    # Success forgets the account's failures: the next mistake is free again.
    assert (await sign_in(console.client, "xem", WRONG)).headers["location"] == "/fleet/login?failed=1"
    assert signed_in(await sign_in(console.client, "xem", PASSWORD))


async def locked_out(console: HubUnderTest, clock: FakeClock, username: str) -> None:
    for _ in range(10):
        assert (await sign_in(console.client, username, WRONG)).status_code == 303
        clock.now += timedelta(seconds=61)  # past each delay: the lock comes from the count, not from haste


async def test_ten_failures_lock_the_account_until_an_admin_lifts_it(console: HubUnderTest, clock: FakeClock) -> None:
    await locked_out(console, clock, "xem")
    locked = await sign_in(console.client, "xem", PASSWORD)
    assert locked.status_code == 429
    assert 'data-reason="locked"' in locked.text
    assert 800 < int(locked.headers["retry-after"]) <= 900
    assert [e.target for e in audit(console.hub, "sign_in.locked")] == ["user:xem"]
    # Another account from the same address is not locked (the address has its own, larger allowance).
    admin = httpx.AsyncClient(transport=console.client._transport, base_url="http://hub.test")
    assert signed_in(await sign_in(admin, "it-admin", PASSWORD))
    users = await admin.get("/fleet/users")
    assert "user:xem" in users.text
    lifted = await admin.post("/fleet/users/unlock", data={"csrf": csrf_of(users.text), "key": "user:xem"})
    assert lifted.status_code == 303
    assert [e.target for e in audit(console.hub, "sign_in.unlocked")] == ["user:xem"]
    assert signed_in(await sign_in(console.client, "xem", PASSWORD))
    await admin.aclose()


async def test_one_address_guessing_many_accounts_waits_too(console: HubUnderTest, clock: FakeClock) -> None:
    for i in range(11):  # eleven names, one failure each: no account waits; the address's ten free failures, one more
        assert (await sign_in(console.client, f"guess-{i}", WRONG)).status_code == 303
    refused = await sign_in(console.client, "xem", PASSWORD)
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "1")
    clock.now += timedelta(seconds=1)
    assert signed_in(await sign_in(console.client, "xem", PASSWORD))


async def test_a_disabled_user_is_refused_like_a_wrong_password(console: HubUnderTest) -> None:
    with console.hub.writer() as session:
        from kiosk_hub.access.users import set_disabled

        set_disabled(session, "xem", True, "it-admin", console.hub.clock())
        session.commit()
    assert (await sign_in(console.client, "xem", PASSWORD)).headers["location"] == "/fleet/login?failed=1"


async def test_passwords_are_hashed_only_on_the_hashers_threads(console: HubUnderTest) -> None:
    loop_thread = threading.current_thread().name
    hasher = console.hub.access.hasher
    hasher.threads_used.clear()
    answers = await asyncio.gather(*(sign_in(console.client, f"user-{i}", WRONG) for i in range(4)))
    assert all(a.status_code == 303 for a in answers)
    assert signed_in(await sign_in(console.client, "xem", PASSWORD))
    assert hasher.threads_used  # the checks ran…
    assert all(name.startswith(THREAD_PREFIX) for name in hasher.threads_used)  # …on the pool, never elsewhere
    assert loop_thread not in hasher.threads_used


async def test_a_flood_beyond_what_the_hasher_queues_is_told_to_retry_not_queued(console: HubUnderTest) -> None:
    console.hub.access.sign_in.rules = {k: _no_throttle() for k in ("account", "address")}
    answers = await asyncio.gather(*(sign_in(console.client, f"flood-{i}", WRONG) for i in range(40)))
    statuses = sorted({a.status_code for a in answers})
    busy = [a for a in answers if a.status_code == 503]
    assert statuses == [303, 503]
    assert all(a.headers["retry-after"] == "1" and 'data-reason="busy"' in a.text for a in busy)


def _no_throttle() -> object:
    from kiosk_hub.access.throttle import ThrottleRule

    return ThrottleRule(free_failures=10_000, lock_after=10_000, lock_for=timedelta(0))


# --- on uvicorn, with the real clock ---------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Hub]]:
    from kiosk_hub.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    hub = build_hub(HubSettings(database_url=url))
    add_people(hub)
    with serve_in_thread(create_app(hub, background=False)) as base:
        yield base, hub
    hub.engine.dispose()


@pytest.mark.slow
async def test_throttling_on_a_real_server_waits_the_time_it_says(served: tuple[str, Hub]) -> None:
    base, _hub = served
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(4):
            await sign_in(client, "xem", WRONG)
        started = time.monotonic()
        refused = await sign_in(client, "xem", PASSWORD)
        # The refusal itself is answered after the wait: a client that waits for answers cannot hurry.
        assert time.monotonic() - started >= 0.9
        assert (refused.status_code, refused.headers["retry-after"]) == (429, "1")
        await asyncio.sleep(0.2)
        assert signed_in(await sign_in(client, "xem", PASSWORD))


@pytest.mark.slow
async def test_the_address_behind_a_trusted_proxy_is_the_one_it_forwards(served: tuple[str, Hub]) -> None:
    base, hub = served
    async with httpx.AsyncClient(base_url=base) as client:
        for i in range(11):  # one office guessing: its address runs out of free failures
            await sign_in(client, f"guess-{i}", WRONG, **{"X-Forwarded-For": "10.1.2.3"})
        office = await sign_in(client, "xem", PASSWORD, **{"X-Forwarded-For": "10.1.2.3"})
        elsewhere = await sign_in(client, "xem", PASSWORD, **{"X-Forwarded-For": "10.9.9.9"})
    assert office.status_code == 429
    assert signed_in(elsewhere)
    assert {e.detail for e in audit(hub, "user.login_failed")} == {'{"address": "10.1.2.3"}'}


async def test_the_hashers_threads_yield_the_cores_to_the_event_loop(console: HubUnderTest) -> None:
    base = os.getpriority(os.PRIO_PROCESS, 0)
    on_the_pool = await console.hub.access.hasher._run(
        lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    )
    assert on_the_pool == max(NICENESS, base)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base  # the loop's own thread untouched
