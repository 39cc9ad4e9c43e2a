"""Payments at the edges: a hub stopped between the money and the ticket (SQLite and PostgreSQL), the gateway
failing or handing out a QR for another account, old callbacks and the gateway's test call, paying later, quotes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kiosk.domain.ticket import VisitType
from kiosk_hub.db.models import Ticket
from kiosk_hub.migrate import upgrade
from kiosk_hub.payments.models import Payment
from kiosk_hub.payments.payos import PayOsGateway
from kiosk_hub.payments.payos_peer import PayOsPeer
from tests.hub.conftest import FakeClock, HisHub, HubUnderTest
from tests.hub.payments.conftest import CALLBACK_PATH, FEE_VND, PayingHub, paying_hub
from tests.support.postgres import PostgresServer


def count_tickets(paying: PayingHub) -> int:
    with paying.hub.reader() as session:
        return session.scalar(select(func.count()).select_from(Ticket)) or 0


async def assert_a_restart_between_money_and_ticket_issues_it_once(
    url: str, clock: FakeClock, peer: PayOsPeer, peer_url: str
) -> None:
    async for first in paying_hub(url, clock, peer, peer_url):
        payment = await first.open()
        gateway = first.hub.payments.gateway
        assert isinstance(gateway, PayOsGateway)
        callback = peer.pay(first.order_code(payment), at=clock.now)
        transfer = gateway.read_callback(callback)
        assert transfer is not None
        # The money is written, then the process stops before the ticket: what settle() alone leaves behind.
        settled = first.hub.payments.settler.settle("payos", transfer, "callback")
        assert settled.outcome == "applied"
        assert (await first.read(payment["id"]))["state"] == "paid"
        assert count_tickets(first) == 0
    upgrade(url)
    async for second in paying_hub(url, clock, peer, peer_url, first.token):  # the restarted hub, same store
        await second.poll_round()
        await second.poll_round()
        assert peer.deliver(callback) == 200  # and the gateway tries its callback once more
        after = await second.read(payment["id"])
        assert after["state"] == "ticket_issued"
        assert count_tickets(second) == 1


async def test_a_restart_between_money_and_ticket_on_sqlite(
    sqlite_url: str, clock: FakeClock, peer: PayOsPeer, peer_url: str
) -> None:
    await assert_a_restart_between_money_and_ticket_issues_it_once(sqlite_url, clock, peer, peer_url)


@pytest.mark.postgres
async def test_a_restart_between_money_and_ticket_on_postgresql(
    postgres: PostgresServer, clock: FakeClock, peer: PayOsPeer, peer_url: str
) -> None:
    url = postgres.create_database("hub_payments_restart")
    upgrade(url)
    await assert_a_restart_between_money_and_ticket_issues_it_once(url, clock, peer, peer_url)


async def test_a_gateway_that_fails_sends_the_patient_to_the_cashier(paying: PayingHub) -> None:
    paying.peer.faults.failing_requests = 2  # the first try and its one retry
    answer = await paying.client.post(
        "/api/v1/payments", json={"department_id": "NOI", "patient_id": "p-1"}, headers={"Idempotency-Key": "k"}
    )
    assert answer.status_code == 503
    assert answer.json()["code"] == "bank_unavailable"
    with paying.hub.reader() as session:
        assert session.scalars(select(Payment.state)).one() == "failed"


async def test_a_qr_for_another_account_is_never_shown(paying: PayingHub) -> None:
    paying.peer.account_number = "9999999999"  # the gateway is linked to another account than the hub expects
    answer = await paying.client.post(
        "/api/v1/payments", json={"department_id": "NOI", "patient_id": "p-1"}, headers={"Idempotency-Key": "k"}
    )
    assert answer.status_code == 503
    with paying.hub.reader() as session:
        row = session.scalars(select(Payment)).one()
        assert (row.state, row.qr_payload) == ("failed", None)
        assert "not_the_hospital_account" in (row.last_error or "")


async def test_answers_signed_with_another_key_are_not_believed(paying: PayingHub) -> None:
    paying.peer.faults.wrong_key = True
    answer = await paying.client.post(
        "/api/v1/payments", json={"department_id": "NOI", "patient_id": "p-1"}, headers={"Idempotency-Key": "k"}
    )
    assert answer.status_code == 503


async def test_an_old_callback_for_a_known_payment_is_refused(paying: PayingHub) -> None:
    payment = await paying.open()
    old = paying.peer.pay(paying.order_code(payment), at=paying.clock.now - timedelta(days=4))
    answer = await paying.client.post(CALLBACK_PATH, content=old, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["code"] == "stale_callback"
    assert (await paying.read(payment["id"]))["state"] == "awaiting"


async def test_the_gateways_confirm_call_is_answered_and_ignored(paying: PayingHub) -> None:
    import httpx

    confirm = {"webhookUrl": paying.url + CALLBACK_PATH}
    headers = {"x-client-id": paying.peer.client_id, "x-api-key": paying.peer.api_key}
    base = str(paying.hub.settings.payments.base_url)
    async with httpx.AsyncClient() as http:
        answer = await http.post(base + "/confirm-webhook", json=confirm, headers=headers)
    assert answer.json()["code"] == "00"  # payOS calls the hub with its documentation's sample and gets a 2xx
    with paying.hub.reader() as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 0


async def test_pay_later_gives_the_ticket_first_and_takes_the_money_after(
    sqlite_url: str, clock: FakeClock, peer: PayOsPeer, peer_url: str
) -> None:
    async for paying in paying_hub(sqlite_url, clock, peer, peer_url, pay_later=True):
        payment = await paying.open()
        later = (await paying.client.post(f"/api/v1/payments/{payment['id']}/pay-later")).json()
        assert (later["state"], later["pay_later"], later["receipt"]) == ("awaiting", True, None)
        ticket = later["ticket"]
        assert ticket is not None
        clock.now += timedelta(minutes=40)  # long past the kiosk's countdown: a pay-later payment does not expire
        await paying.poll_round()
        assert (await paying.read(payment["id"]))["state"] == "awaiting"
        peer.deliver(peer.pay(paying.order_code(payment), at=clock.now))
        paid = await paying.read(payment["id"])
        assert paid["state"] == "ticket_issued"
        assert paid["ticket"]["id"] == ticket["id"]
        assert paid["receipt"]["amount_vnd"] == FEE_VND
        assert count_tickets(paying) == 1


async def test_pay_later_is_refused_where_the_hospital_does_not_allow_it(paying: PayingHub) -> None:
    payment = await paying.open()
    answer = await paying.client.post(f"/api/v1/payments/{payment['id']}/pay-later")
    assert answer.status_code == 409
    assert answer.json()["code"] == "pay_later_off"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"department_id": "NOI"}, (True, FEE_VND, "price_list", None)),
        ({"department_id": "NOI", "visit_type": "bhyt"}, (False, 0, "bhyt", "bhyt")),
        ({"department_id": "NGOAI"}, (False, None, None, "fee_unknown")),  # no price: the cashier takes it
        ({"department_id": "NOI", "priority_reasons": ["merit_to_revolution"]}, (False, 0, "exempt", "exempt")),
    ],
)
async def test_quotes(
    body: dict[str, object],
    expected: tuple[object, ...],
    sqlite_url: str,
    clock: FakeClock,
    peer: PayOsPeer,
    peer_url: str,
) -> None:
    async for paying in paying_hub(sqlite_url, clock, peer, peer_url, exempt_reasons=("merit_to_revolution",)):
        answer = (await paying.client.post("/api/v1/payments/quote", json=body)).json()
        assert (answer["payment_required"], answer["amount_vnd"], answer["source"], answer["reason"]) == expected


async def test_without_a_gateway_the_fee_is_the_cashiers(hub_api: HubUnderTest) -> None:
    answer = await hub_api.client.post("/api/v1/payments/quote", json={"department_id": "NOI"})
    assert answer.json()["reason"] == "payments_off"
    opened = await hub_api.client.post(
        "/api/v1/payments", json={"department_id": "NOI", "patient_id": "p"}, headers={"Idempotency-Key": "k"}
    )
    assert opened.status_code == 409
    assert opened.json()["code"] == "payments_off"


async def test_the_his_price_comes_first(his_hub: HisHub) -> None:
    # The reference HIS (the REST adapter over loopback HTTP) prices NOI; the price list has nothing.
    quote = his_hub.hub.payments.book.fees.quote("NOI", VisitType.FEE, None, [])
    assert quote is not None
    assert (quote.amount_vnd, quote.source, quote.service_code) == (150_000, "his", "02.1896")


async def test_a_transfer_into_another_account_is_not_accepted(paying: PayingHub) -> None:
    from kiosk_hub.payments.gateway import Transfer

    payment = await paying.open()
    elsewhere = Transfer(
        paying.order_code(payment), FEE_VND, "FT-ELSEWHERE", "5555555555", str(payment["reference"]), paying.clock.now
    )
    settled = await paying.hub.payments.settle(elsewhere, "callback")
    assert settled.outcome == "wrong_account"
    assert (await paying.read(payment["id"]))["state"] == "awaiting"
    assert count_tickets(paying) == 0
