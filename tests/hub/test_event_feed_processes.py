"""Two hub processes sharing PostgreSQL (and two on one SQLite file) publish and deliver one feed: every event
reaches the receiver, positions are unique, and each patient's events arrive in the order they happened (issued
before cancelled), although both processes publish and deliver at once."""

from __future__ import annotations

import asyncio
import itertools
import time

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from kiosk_hub.events.models import OutboxEvent, WebhookDelivery
from tests.hub.conftest import prepared_database as prepare
from tests.hub.servers import hub_process, serve_in_thread
from tests.hub.test_event_feed import SECRET
from tests.support.postgres import PostgresServer
from tests.support.webhook_receiver import WebhookReceiver, create_receiver

PATIENTS = 40
FAST = {"KIOSK_HUB_EVENTS_POLL_SECONDS": "0.05", "KIOSK_HUB_HIS_POLL_SECONDS": "0.2"}


def add_subscription(url: str, receiver_url: str) -> None:
    from kiosk_hub.hub import build_hub
    from kiosk_hub.settings import HubSettings
    from tests.hub.test_event_feed import subscribe
    from tests.support.keys import key_file_for

    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)))
    subscribe(hub, receiver_url)
    hub.engine.dispose()


async def traffic(urls: list[str], token: str) -> None:
    """Each patient: a ticket at one process, cancelled at the other; the patients all at once."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:

        async def patient(i: int, issue_at: str, cancel_at: str) -> None:
            body = {"department_id": ("NOI", "NHI", "KKB")[i % 3], "patient_id": f"p-{i}"}
            issued = await client.post(f"{issue_at}/api/v1/tickets", json=body, headers={"Idempotency-Key": f"e-{i}"})
            assert issued.status_code == 201, issued.text
            cancelled = await client.post(f"{cancel_at}/api/v1/tickets/{issued.json()['id']}/cancel")
            assert cancelled.status_code == 200

        pairs = itertools.cycle([(urls[0], urls[-1]), (urls[-1], urls[0])])
        await asyncio.gather(*(patient(i, *next(pairs)) for i in range(PATIENTS)))


def settled(url: str, received: int) -> bool:
    """All events published and delivered: nothing unpublished or pending, and the receiver has them all."""
    engine = create_engine(url)
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(OutboxEvent))
        waiting = conn.scalar(select(func.count()).select_from(WebhookDelivery))
        unpublished = conn.scalar(select(func.count()).where(OutboxEvent.position.is_(None)))
    engine.dispose()
    return received >= 2 * PATIENTS and received == total and not waiting and not unpublished


def run_and_check(url: str) -> None:
    token = prepare(url)
    taker = WebhookReceiver(secret=SECRET)
    with serve_in_thread(create_receiver(taker)) as receiver_url:
        add_subscription(url, f"{receiver_url}/hooks/his")
        with hub_process(url, FAST) as first, hub_process(url, FAST) as second:
            asyncio.run(traffic([first, second], token))
            deadline = time.monotonic() + 60
            while not settled(url, len(taker.taken)) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(0.5)  # anything delivered twice would arrive now
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(
            select(OutboxEvent.id, OutboxEvent.subject, OutboxEvent.type).order_by(OutboxEvent.position)
        ).all()
    engine.dispose()
    # Besides the tickets' events, each visit fails in the register (these patients are not in it): announced too.
    assert sum(1 for row in stored if row.type.startswith("ticket.")) == 2 * PATIENTS
    assert sorted(e["id"] for e in taker.taken) == sorted(row.id for row in stored)  # every event, once
    assert len({e["position"] for e in taker.taken}) == len(stored)  # positions never repeat
    for subject, got in taker.by_subject().items():
        assert [e["id"] for e in got] == [row.id for row in stored if row.subject == subject], subject
        tickets = [e["type"] for e in got if str(e["type"]).startswith("ticket.")]
        assert tickets == ["ticket.issued", "ticket.cancelled"], subject
    assert taker.refused_signatures == 0


@pytest.mark.postgres
@pytest.mark.slow
def test_two_hub_processes_on_postgresql_deliver_each_patients_events_in_order(postgres: PostgresServer) -> None:
    run_and_check(postgres.create_database("hub_events_two_processes"))


@pytest.mark.slow
def test_two_hub_processes_on_one_sqlite_file_deliver_in_order(sqlite_url: str) -> None:
    run_and_check(sqlite_url)
