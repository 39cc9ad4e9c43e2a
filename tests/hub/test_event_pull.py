"""The pull feed for a HIS that cannot take webhooks (an integration credential with the events scope, position
order, paging without gaps,
type filters, only published events) and the console's HIS page (dead letters replayed by an admin, not a viewer;
failed visits retried), over the ASGI stack as a browser and a HIS would use them."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from kiosk_hub.access.roles import Role, Scope
from kiosk_hub.events.publisher import publish
from kiosk_hub.events.worker import events_round
from kiosk_hub.hub import Hub
from tests.fleet.console_client import add_console_user, log_in, post_form
from tests.hub.conftest import FakeClock, HubUnderTest, add_integration
from tests.hub.test_event_feed import issue, subscribe


def reader_token(hub: Hub) -> str:
    return add_integration(hub, "his-pull", frozenset({Scope.EVENTS}))


async def pull(client: httpx.AsyncClient, token: str, **params: object) -> httpx.Response:
    return await client.get("/api/v1/events", params=params, headers={"Authorization": f"Bearer {token}"})


async def test_a_reader_pages_through_the_feed_without_gaps(hub_api: HubUnderTest) -> None:
    hub, client = hub_api.hub, hub_api.client
    token = reader_token(hub)
    for i in range(5):
        ticket = await issue(client, "NOI", f"p-{i}", f"k-{i}")
        if i % 2:
            await client.post(f"/api/v1/tickets/{ticket['id']}/cancel")
    assert (await pull(client, token)).json() == {"events": [], "last_position": 0}  # not published yet
    publish(hub.writer, hub.clock())
    seen, after = [], 0
    while True:
        page = (await pull(client, token, after=after, limit=2)).json()
        if not page["events"]:
            break
        seen += page["events"]
        after = page["last_position"]
    assert [e["position"] for e in seen] == list(range(1, 8))
    assert [e["type"] for e in seen].count("ticket.cancelled") == 2
    only = (await pull(client, token, types="ticket.cancelled")).json()["events"]
    assert {e["type"] for e in only} == {"ticket.cancelled"}


async def test_the_feed_needs_a_credential_with_the_events_scope(hub_api: HubUnderTest) -> None:
    anonymous = await hub_api.client.get("/api/v1/events", headers={"Authorization": ""})
    assert anonymous.status_code == 401
    as_kiosk = await hub_api.client.get("/api/v1/events")  # the kiosk's own token: not a reader
    assert (as_kiosk.status_code, as_kiosk.json()["code"]) == (401, "unauthorized")
    assert (await pull(hub_api.client, "khi_not-a-token")).status_code == 401
    calling_only = await pull(hub_api.client, hub_api.his_token)  # the HIS's calling credential
    assert (calling_only.status_code, calling_only.json()["code"]) == (403, "forbidden")


@pytest.fixture
async def console(hub_api: HubUnderTest) -> httpx.AsyncClient:
    add_console_user(hub_api.hub, "it-admin", Role.ADMIN)
    add_console_user(hub_api.hub, "xem", Role.VIEWER)
    return hub_api.client


async def test_an_admin_replays_dead_letters_from_the_console(
    hub_api: HubUnderTest, clock: FakeClock, console: httpx.AsyncClient
) -> None:
    hub = hub_api.hub
    hub.settings.events.give_up_after_hours = 0.5
    subscribe(hub, "http://127.0.0.1:9/closed")  # a port nothing listens on
    await issue(hub_api.client, "NOI", "p-1", "d")
    for _ in range(8):
        await events_round(hub)
        clock.now += timedelta(minutes=10)
    transport = httpx.ASGITransport(app=console._transport.app)  # type: ignore[attr-defined]
    for who, may_replay in (("xem", False), ("it-admin", True)):
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as browser:
            assert (await log_in(browser, who)).status_code == 303
            page = await browser.get("/fleet/his")
            assert page.status_code == 200
            assert "ticket.issued (patient)" in page.text  # the dead letter, without the patient's ref
            assert "p-1" not in page.text
            answer = await post_form(browser, "/fleet/his", "/fleet/his/replay", {"delivery": "all"})
            assert answer.status_code == (303 if may_replay else 403)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as browser:
        await log_in(browser, "it-admin")
        assert "ticket.issued (patient)" not in (await browser.get("/fleet/his")).text  # back in line
