"""The loopback payOS is payOS as its own official SDK (PyPI `payos`) expects it: the SDK signs requests the peer
accepts, checks every answer's signature and reads every field, and verifies the peer's callbacks. The hub's own
client (`PayOsGateway`) is held to the same peer, so the two agree through the documentation, not through us."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from payos import PayOS
from payos.types import CreatePaymentLinkRequest

from kiosk.domain.vietqr import decode_vietqr
from kiosk_hub.payments.gateway import ForgedCallbackError, GatewayRefusedError, PaymentOpening
from kiosk_hub.payments.payos import PayOsGateway
from kiosk_hub.payments.payos_peer import PayOsPeer
from tests.hub.payments.conftest import ACCOUNT, API_KEY, BANK_BIN, CHECKSUM_KEY, CLIENT_ID, payment_settings


@pytest.fixture
def sdk(peer_url: str) -> Iterator[PayOS]:
    with httpx.Client() as http:
        yield PayOS(CLIENT_ID, API_KEY, CHECKSUM_KEY, base_url=peer_url, http_client=http, max_retries=0)


def test_the_official_sdk_opens_reads_and_verifies_against_the_peer(sdk: PayOS, peer: PayOsPeer) -> None:
    request = CreatePaymentLinkRequest(
        order_code=250101000123,
        amount=150000,
        description="KB250101000123",
        cancel_url="http://127.0.0.1/p/x",
        return_url="http://127.0.0.1/p/x",
    )
    created = sdk.payment_requests.create(request)  # the SDK signs the request and checks the answer's signature
    qr = decode_vietqr(created.qr_code)
    assert (qr.bank_bin, qr.account, qr.amount_vnd, qr.reference) == (BANK_BIN, ACCOUNT, 150000, "KB250101000123")
    assert sdk.payment_requests.get(250101000123).status == "PENDING"
    callback = peer.pay(250101000123, reference="FT25001ABCDEF")
    data = sdk.webhooks.verify(callback)
    assert (data.order_code, data.amount, data.reference) == (250101000123, 150000, "FT25001ABCDEF")
    paid = sdk.payment_requests.get(created.payment_link_id)
    assert (paid.status, paid.amount_paid, paid.transactions[0].reference) == ("PAID", 150000, "FT25001ABCDEF")


def test_a_callback_signed_with_another_key_fails_the_sdk_too(sdk: PayOS, peer: PayOsPeer) -> None:
    from payos._core.exceptions import WebhookError

    request = CreatePaymentLinkRequest(
        order_code=7, amount=2000, description="KB7", cancel_url="http://x", return_url="http://x"
    )
    sdk.payment_requests.create(request)
    peer.faults.wrong_key = True
    with pytest.raises(WebhookError):
        sdk.webhooks.verify(peer.pay(7))


async def test_the_hubs_client_against_the_same_peer(peer: PayOsPeer, peer_url: str) -> None:
    async with httpx.AsyncClient() as http:
        gateway = PayOsGateway(payment_settings(peer_url), http)
        closes = datetime(2026, 11, 23, 16, 59, 59, tzinfo=UTC)
        opening = PaymentOpening(100000000001, 150000, "KB100000000001", "Khám Nội", closes, "http://hub.test/p/t")
        opened = await gateway.open(opening)
        assert decode_vietqr(opened.qr_payload).reference == "KB100000000001"
        assert peer.links[100000000001].expired_at == int(closes.timestamp())
        with pytest.raises(GatewayRefusedError) as twice:
            await gateway.open(opening)
        assert twice.value.code == "231"  # payOS refuses an order code it has seen
        transfer = gateway.read_callback(peer.pay(100000000001, reference="FT9"))
        assert transfer is not None
        assert (transfer.order_code, transfer.amount_vnd, transfer.bank_reference) == (100000000001, 150000, "FT9")
        status = await gateway.status(100000000001)
        assert status.status == "PAID"
        assert [t.bank_reference for t in status.transfers] == ["FT9"]
        assert status.transfers[0].transferred_at == transfer.transferred_at.replace(microsecond=0)
        tampered = json.loads(peer.pay(100000000001, reference="FT10"))
        tampered["data"]["amount"] = 1
        with pytest.raises(ForgedCallbackError):
            gateway.read_callback(json.dumps(tampered).encode())
