"""The event feed: the outbox commits with the change, the publisher numbers it, webhooks are signed and delivered
at least once in order per patient, a receiver away for an hour gets everything when it is back, dead letters wait
for an admin's replay. The receiver is a real HTTP server on loopback; rounds run here, the clock moved by hand."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kiosk_hub.events.delivery import replay_dead
from kiosk_hub.events.models import OutboxEvent, WebhookDelivery, WebhookSubscription
from kiosk_hub.events.outbox import NewEvent, record_event
from kiosk_hub.events.signing import SignatureError, sign, verify
from kiosk_hub.events.status import feed_status
from kiosk_hub.events.worker import events_round
from kiosk_hub.hub import Hub
from tests.hub.conftest import FakeClock, HubUnderTest
from tests.hub.servers import serve_in_thread
from tests.support.webhook_receiver import WebhookReceiver, create_receiver

SECRET = "whsec_test-secret"
BODY = b'{"id":"e1","type":"ticket.issued"}'


def test_a_signature_checks_out_and_nothing_else_does() -> None:
    header = sign(SECRET, BODY, 1_800_000_000)
    assert verify(SECRET, header, BODY, now=1_800_000_100) == 1_800_000_000
    for body, secret, now, why in [
        (BODY + b" ", SECRET, 1_800_000_000, "changed body"),
        (BODY, "whsec_other", 1_800_000_000, "other secret"),
        (BODY, SECRET, 1_800_000_301, "replayed after the window"),
        (BODY, SECRET, 1_799_999_699, "signed in the future"),
    ]:
        with pytest.raises(SignatureError):
            verify(secret, header, body, now=now)
        assert why
    for broken in (None, "", "v1=abc", "t=abc,v1=abc", f"t=1800000000,t=1800000001,v1={'0' * 64}"):
        with pytest.raises(SignatureError):
            verify(SECRET, broken, BODY, now=1_800_000_000)
    # During a secret rotation two v1 values go out: either matching is enough.
    rotated = header + ",v1=" + "0" * 64
    assert verify(SECRET, rotated, BODY, now=1_800_000_000) == 1_800_000_000


def test_the_writer_refuses_personal_data_and_odd_types(hub_api: HubUnderTest) -> None:
    hub = hub_api.hub
    with hub.writer() as session:
        with pytest.raises(ValueError, match="personal"):
            record_event(session, "patient.registered", subject="patient:x", data={"full_name": "A"},
                         occurred_at=hub.clock())  # fmt: skip
        with pytest.raises(ValueError, match="like"):
            NewEvent("Ticket Issued", "ticket:x", {}, hub.clock()).row()


def subscribe(hub: Hub, url: str, name: str = "his", types: str = "") -> None:
    with hub.writer() as session:
        session.add(
            WebhookSubscription(id=str(uuid.uuid4()), name=name, url=url, secret=SECRET, event_types=types,
                                active=True, created_at=hub.clock())
        )  # fmt: skip
        session.commit()


def outbox(hub: Hub) -> list[OutboxEvent]:
    with hub.reader() as session:
        return list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)))


async def issue(client, department: str, patient: str | None, key: str) -> dict:  # type: ignore[no-untyped-def]
    body = {"department_id": department, **({"patient_id": patient} if patient else {})}
    response = await client.post("/api/v1/tickets", json=body, headers={"Idempotency-Key": key})
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


async def test_tickets_and_their_events_commit_together(hub_api: HubUnderTest) -> None:
    client = hub_api.client
    first = await issue(client, "NOI", "p-1", "a")
    await issue(client, "NOI", "p-1", "a")  # a retry: no second event
    await issue(client, "NOI", "p-1", "b")  # the same patient again today: their ticket, no second event
    refused = await client.post("/api/v1/tickets", json={"department_id": "NHI"}, headers={"Idempotency-Key": "a"})
    assert refused.status_code == 409  # a reused key with another body: refused, nothing announced
    await client.post(f"/api/v1/tickets/{first['id']}/cancel")
    kinds = [(e.type, e.subject) for e in outbox(hub_api.hub)]
    assert kinds == [("ticket.issued", "patient:p-1"), ("ticket.cancelled", "patient:p-1")]
    data = json.loads(outbox(hub_api.hub)[0].data)
    assert (data["ticket_id"], data["number"], data["display_number"]) == (first["id"], 1, "0001")


@pytest.fixture
def receiver(clock: FakeClock):  # type: ignore[no-untyped-def]
    taker = WebhookReceiver(secret=SECRET, clock=lambda: clock.now.timestamp())
    with serve_in_thread(create_receiver(taker)) as url:
        yield taker, f"{url}/hooks/his"


async def drain(hub: Hub, clock: FakeClock, step: timedelta, most: int = 60) -> None:
    """Rounds, the clock moved `step` between them, until no delivery is pending."""
    for _ in range(most):
        await events_round(hub)
        with hub.reader() as session:
            if not session.scalar(select(func.count()).select_from(WebhookDelivery)):
                return
        clock.now += step
    raise AssertionError("deliveries never drained")


async def test_a_receiver_away_for_an_hour_gets_everything_in_order(
    hub_api: HubUnderTest, clock: FakeClock, receiver
) -> None:  # type: ignore[no-untyped-def]
    taker, url = receiver
    hub, client = hub_api.hub, hub_api.client
    subscribe(hub, url)
    taker.down = True
    tickets = [await issue(client, dep, f"p-{i}", f"k-{i}-{dep}") for i in range(5) for dep in ("NOI", "NHI")]
    for ticket in tickets[::3]:
        await client.post(f"/api/v1/tickets/{ticket['id']}/cancel")
    await client.post("/api/v1/departments/NOI/call-next")
    await issue(client, "KKB", None, "anonymous")  # no patient: its events are ordered by the ticket
    start = clock.now
    while clock.now - start < timedelta(hours=1):
        await events_round(hub)
        clock.now += timedelta(minutes=5)
    assert taker.taken == []
    assert taker.attempts_while_down >= 10  # it was tried all along (with backoff)
    taker.down = False
    clock.now += timedelta(minutes=10)
    await drain(hub, clock, timedelta(minutes=1))
    published = outbox(hub)
    assert sorted(e["id"] for e in taker.taken) == sorted(e.id for e in published)  # each exactly once here
    for subject, got in taker.by_subject().items():
        positions = [e["position"] for e in got]
        assert positions == sorted(positions), subject
        expected = [e.id for e in published if e.subject == subject]
        assert [e["id"] for e in got] == expected, subject
    assert taker.refused_signatures == 0


async def test_a_dead_letter_holds_its_patients_later_events_until_replayed(
    hub_api: HubUnderTest, clock: FakeClock, receiver
) -> None:  # type: ignore[no-untyped-def]
    taker, url = receiver
    hub, client = hub_api.hub, hub_api.client
    hub.settings.events.give_up_after_hours = 1
    subscribe(hub, url)
    taker.down = True
    first = await issue(client, "NOI", "p-dead", "d1")
    for _ in range(16):  # two hours of tries: the first event is dead-lettered
        await events_round(hub)
        clock.now += timedelta(minutes=8)
    await client.post(f"/api/v1/tickets/{first['id']}/cancel")  # the same patient's next event
    await issue(client, "NHI", "p-other", "o1")  # another patient's
    taker.down = False
    for _ in range(5):
        await events_round(hub)
        clock.now += timedelta(seconds=10)
    assert [e["subject"] for e in taker.taken] == ["patient:p-other"]  # p-dead's cancel waits behind the dead one
    status = feed_status(hub)
    (dead,) = status["dead"]
    assert (dead["type"], dead["subject_kind"]) == ("ticket.issued", "patient")
    assert status["subscriptions"][0]["dead"] == 1
    assert replay_dead(hub.writer, clock.now, dead["delivery_id"]) == 1
    await drain(hub, clock, timedelta(seconds=10))
    assert [e["type"] for e in taker.by_subject()["patient:p-dead"]] == ["ticket.issued", "ticket.cancelled"]


async def test_subscriptions_take_the_types_they_asked_for(hub_api: HubUnderTest, clock: FakeClock, receiver) -> None:  # type: ignore[no-untyped-def]
    taker, url = receiver
    subscribe(hub_api.hub, url, types="ticket.cancelled,visit.")
    ticket = await issue(hub_api.client, "NOI", "p-1", "t1")
    await hub_api.client.post(f"/api/v1/tickets/{ticket['id']}/cancel")
    await drain(hub_api.hub, clock, timedelta(seconds=5))
    assert [e["type"] for e in taker.taken] == ["ticket.cancelled"]
