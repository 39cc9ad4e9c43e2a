"""What the hub needs from a payment gateway: open a payment (its VietQR), say what was paid for it, and read the
gateway's callbacks. payOS is the one implemented (`payos.py`); a bank-feed service (SePay, Casso) fits the same shape:
the hub builds the QR itself and the feed reports transfers by the memo.

Errors are three: the gateway did not answer usably (`GatewayUnavailableError`: timeout, 5xx, a bad signature on
its answer), it refused (`GatewayRefusedError`, with its code), or a callback is not the gateway's
(`ForgedCallbackError`: no or wrong signature; `MalformedCallbackError`: not the documented shape).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class GatewayError(Exception):
    """The gateway could not do what the hub asked."""


class GatewayUnavailableError(GatewayError):
    """No usable answer: timeout, connection refused, 5xx, a body that does not parse or is not signed right."""


class GatewayRefusedError(GatewayError):
    def __init__(self, code: str, desc: str = "") -> None:
        super().__init__(f"{code}: {desc}" if desc else code)
        self.code = code


class ForgedCallbackError(GatewayError):
    """A callback without the gateway's signature: refused, and nothing about it is believed."""


class MalformedCallbackError(GatewayError):
    """A callback that is not the documented shape."""


@dataclass(frozen=True)
class PaymentOpening:
    order_code: int
    amount_vnd: int
    reference: str  # the memo, 62/08 of the QR
    service_name: str  # the line the gateway shows (an exam, never the patient)
    closes_at: datetime  # the gateway takes no money for it after this
    status_url: str  # where a browser that opened the gateway's checkout page is sent back to


@dataclass(frozen=True)
class OpenedPayment:
    provider_ref: str
    qr_payload: str  # the VietQR, checked by the hub against the hospital's account before it is shown
    account_name: str
    bank_bin: str
    account_number: str


@dataclass(frozen=True)
class Transfer:
    """Money the bank credited, as the gateway reports it."""

    order_code: int | None
    amount_vnd: int
    bank_reference: str  # the bank's transaction reference: a transfer is counted once by it
    account_number: str  # the account credited
    description: str
    transferred_at: datetime
    payer_bank: str | None = None
    payer_account: str | None = None  # kept only as its last 4 digits


@dataclass(frozen=True)
class GatewayStatus:
    status: str  # the gateway's word: PENDING, PAID, UNDERPAID, EXPIRED, CANCELLED, …
    transfers: tuple[Transfer, ...]


class PaymentGateway(Protocol):
    name: str

    async def open(self, opening: PaymentOpening) -> OpenedPayment: ...

    async def status(self, order_code: int) -> GatewayStatus: ...

    def read_callback(self, body: bytes) -> Transfer | None:
        """The transfer a callback reports, once its signature is checked; None for a callback that reports no
        transfer (the gateway's test call, a failure code)."""
        ...
