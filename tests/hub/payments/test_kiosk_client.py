"""The kiosk's payment client against the hub over loopback HTTP: what it maps the hub's answers to, and that a
ticket is marked paid only with the bank's reference the hub relays."""

from __future__ import annotations

import httpx

from kiosk.backend_client.client import HisClient
from kiosk.backend_client.payments import PaymentClient
from kiosk.domain.payment_state import PaymentState
from kiosk.domain.ticket import Lane, VisitType
from kiosk.flow.records import TicketOrder
from kiosk_hub.payments.payos_peer import PayOsPeer
from tests.hub.conftest import FakeClock
from tests.hub.payments.conftest import FEE_VND, PayingHub, paying_hub


def order(key: str = "k1") -> TicketOrder:
    return TicketOrder("NOI", "p-1", Lane.NORMAL, VisitType.FEE, key)


def client(paying: PayingHub, http: httpx.AsyncClient) -> PaymentClient:
    return PaymentClient(HisClient(http, token=paying.token, base_url=paying.url), wait_s=2)


async def test_the_kiosk_sees_paid_only_with_the_banks_reference(paying: PayingHub) -> None:
    async with httpx.AsyncClient() as http:
        payments = client(paying, http)
        quote = await payments.quote("NOI", VisitType.FEE, ())
        assert (quote.payment_required, quote.amount_vnd, quote.service_name) == (True, FEE_VND, "Khám Nội")
        opened = await payments.open_payment(order())
        assert (opened.state, opened.bank_reference, opened.ticket) == (PaymentState.AWAITING, None, None)
        assert opened.expires_in_s == 600
        again = await payments.open_payment(order())  # a retry after a lost answer: the same payment
        assert again.id == opened.id
        unchanged = await payments.watch_payment(opened.id, PaymentState.AWAITING)  # the hub's wait runs out
        assert unchanged.state == PaymentState.AWAITING
        paying.peer.deliver(paying.peer.pay(int(opened.reference[2:]), 100_000, at=paying.clock.now))
        held = await payments.watch_payment(opened.id, PaymentState.AWAITING)
        assert (held.state, held.ticket, held.bank_reference) == (PaymentState.HELD, None, None)
        paying.peer.deliver(paying.peer.pay(int(opened.reference[2:]), at=paying.clock.now, reference="FT-OK"))
        paid = await payments.watch_payment(opened.id, PaymentState.HELD)
        assert paid.state == PaymentState.TICKET_ISSUED
        assert paid.ticket is not None
        assert paid.ticket.payment is not None
        assert (paid.ticket.payment.paid, paid.ticket.payment.bank_reference) == (True, "FT-OK")


async def test_pay_later_gives_an_unpaid_ticket_with_the_qr(
    sqlite_url: str, clock: FakeClock, peer: PayOsPeer, peer_url: str
) -> None:
    async for paying in paying_hub(sqlite_url, clock, peer, peer_url, pay_later=True):
        async with httpx.AsyncClient() as http:
            payments = client(paying, http)
            opened = await payments.open_payment(order())
            later = await payments.pay_later(opened.id)
            assert later.ticket is not None
            line = later.ticket.payment
            assert line is not None
            assert (line.paid, line.vietqr, line.account_name) == (False, opened.qr_payload, "BENH VIEN DA KHOA DEMO")
            await payments.abandon_payment(opened.id)  # a pay-later payment is not given up by the kiosk
            assert (await payments.watch_payment(opened.id, PaymentState.ABANDONED)).state == PaymentState.AWAITING
