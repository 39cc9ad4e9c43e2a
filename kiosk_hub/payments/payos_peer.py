"""A loopback payOS for development, tests and benches: payOS's API as its documentation and official SDK describe
it, byte for byte where a signature depends on it, with a pretend bank behind it.

`POST /v2/payment-requests` (headers and the five-field signature checked, a repeated order code refused with code
"231"), `GET /v2/payment-requests/{id or orderCode}`, `POST /v2/payment-requests/{id}/cancel`, `POST
/confirm-webhook` (which calls the webhook with payOS's documented test data). `pay()` is the patient's banking app:
it credits a transfer to a payment and returns the signed callback payOS would send; `deliver()` sends it.
Faults: lost callbacks, failing requests, answers signed with another key.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kiosk.domain.dates import VN_TZ
from kiosk.domain.vietqr import encode_vietqr
from kiosk_hub.payments.payos_signature import sign, sign_payment_request

# The test data payOS sends when a webhook URL is confirmed (its documentation's sample).
CONFIRM_SAMPLE: dict[str, Any] = {
    "orderCode": 123,
    "amount": 3000,
    "description": "VQRIO123",
    "accountNumber": "12345678",
    "reference": "TF230204212323",
    "transactionDateTime": "2023-02-04 18:25:00",
    "currency": "VND",
    "paymentLinkId": "124c33293c43417ab7879e14c8d9eb18",
    "code": "00",
    "desc": "Thành công",
    "counterAccountBankId": "",
    "counterAccountBankName": "",
    "counterAccountName": "",
    "counterAccountNumber": "",
    "virtualAccountName": "",
    "virtualAccountNumber": "",
}


@dataclass
class PeerFaults:
    callbacks_lost: bool = False  # the hub is not told: only polling finds the money
    failing_requests: int = 0  # the next N API requests answer HTTP 500
    wrong_key: bool = False  # answers signed with another key (a man in the middle, a misconfigured hub)
    create_delay_seconds: float = 0.0  # a slow answer to a payment request (a callback may overtake it)


@dataclass
class Link:
    id: str
    order_code: int
    amount: int
    description: str
    qr: str
    created_at: datetime
    expired_at: int | None
    status: str = "PENDING"
    transactions: list[dict[str, Any]] = field(default_factory=list)
    canceled_at: str | None = None
    cancellation_reason: str | None = None

    @property
    def paid(self) -> int:
        return sum(int(t["amount"]) for t in self.transactions)

    def data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "orderCode": self.order_code,
            "amount": self.amount,
            "amountPaid": self.paid,
            "amountRemaining": max(0, self.amount - self.paid),
            "status": self.status,
            "createdAt": self.created_at.astimezone(VN_TZ).isoformat(timespec="seconds"),
            "transactions": self.transactions,
            "canceledAt": self.canceled_at,
            "cancellationReason": self.cancellation_reason,
        }


@dataclass
class PayOsPeer:
    client_id: str
    api_key: str
    checksum_key: str
    bank_bin: str = "970422"
    account_number: str = "0123456789"
    account_name: str = "BENH VIEN DA KHOA DEMO"
    webhook_url: str | None = None
    faults: PeerFaults = field(default_factory=PeerFaults)
    links: dict[int, Link] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path) as received
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _key(self) -> str:
        return "another-key" if self.faults.wrong_key else self.checksum_key

    def envelope(self, data: dict[str, Any] | None, code: str = "00", desc: str = "success") -> dict[str, Any]:
        signature = sign(data, self._key()) if data is not None else None
        return {"code": code, "desc": desc, "data": data, "signature": signature}

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        if sign_payment_request(body, self.checksum_key) != body.get("signature"):
            return self.envelope(None, "201", "Chữ ký không hợp lệ")  # the request's signature is checked too
        order_code, amount, description = int(body["orderCode"]), int(body["amount"]), str(body["description"])
        with self._lock:
            if order_code in self.links:
                return self.envelope(None, "231", "Đơn thanh toán đã tồn tại")
            qr = encode_vietqr(self.bank_bin, self.account_number, amount, description)
            link = Link(
                secrets.token_hex(16), order_code, amount, description, qr, datetime.now(UTC), body.get("expiredAt")
            )
            self.links[order_code] = link
        return self.envelope(
            {
                "bin": self.bank_bin,
                "accountNumber": self.account_number,
                "accountName": self.account_name,
                "amount": amount,
                "description": description,
                "orderCode": order_code,
                "currency": "VND",
                "paymentLinkId": link.id,
                "status": "PENDING",
                "expiredAt": link.expired_at,
                "checkoutUrl": f"https://pay.payos.vn/web/{link.id}",
                "qrCode": qr,
            }
        )

    def find(self, ref: str) -> Link | None:
        if ref.isdigit() and int(ref) in self.links:
            return self.links[int(ref)]
        return next((link for link in self.links.values() if link.id == ref), None)

    def pay(
        self,
        order_code: int,
        amount: int | None = None,
        *,
        reference: str | None = None,
        at: datetime | None = None,
        description: str | None = None,
    ) -> bytes:
        """The patient's transfer for this payment (its whole amount unless `amount`); the signed callback."""
        link = self.links[order_code]
        moment = (at or datetime.now(UTC)).astimezone(VN_TZ)
        ref = reference or "FT" + secrets.token_hex(6).upper()
        paid = link.amount if amount is None else amount
        memo = description if description is not None else link.description
        with self._lock:
            link.transactions.append(
                {
                    "reference": ref,
                    "amount": paid,
                    "accountNumber": self.account_number,
                    "description": memo,
                    "transactionDateTime": moment.isoformat(timespec="seconds"),
                    "virtualAccountName": None,
                    "virtualAccountNumber": None,
                    "counterAccountBankId": "970436",
                    "counterAccountBankName": None,
                    "counterAccountName": "NGUYEN VAN A",
                    "counterAccountNumber": "9876543210",
                }
            )
            link.status = "PAID" if link.paid >= link.amount else "UNDERPAID"
        return self.callback(
            {
                "orderCode": order_code,
                "amount": paid,
                "description": memo,
                "accountNumber": self.account_number,
                "reference": ref,
                "transactionDateTime": moment.strftime("%Y-%m-%d %H:%M:%S"),
                "currency": "VND",
                "paymentLinkId": link.id,
                "code": "00",
                "desc": "success",
                "counterAccountBankId": "970436",
                "counterAccountBankName": "",
                "counterAccountName": "NGUYEN VAN A",
                "counterAccountNumber": "9876543210",
                "virtualAccountName": "",
                "virtualAccountNumber": "",
            }
        )

    def callback(self, data: dict[str, Any]) -> bytes:
        body = {"code": "00", "desc": "success", "success": True, "data": data, "signature": sign(data, self._key())}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    def deliver(self, body: bytes, url: str | None = None) -> int | None:
        """POST a callback to the webhook URL as payOS does; None when callbacks are lost (the fault)."""
        target = url or self.webhook_url
        if self.faults.callbacks_lost or target is None:
            return None
        headers = {"Content-Type": "application/json"}
        return httpx.post(target, content=body, headers=headers, timeout=10).status_code


def create_payos_peer(peer: PayOsPeer) -> FastAPI:
    app = FastAPI(title="payOS (loopback)")

    def _refusal(request: Request) -> JSONResponse | None:
        peer.requests.append((request.method, request.url.path))
        if peer.faults.failing_requests > 0:
            peer.faults.failing_requests -= 1
            return JSONResponse({"code": "500", "desc": "Internal Server Error"}, status_code=500)
        given = (request.headers.get("x-client-id"), request.headers.get("x-api-key"))
        if given != (peer.client_id, peer.api_key):
            return JSONResponse(peer.envelope(None, "401", "Unauthorized"), status_code=401)
        return None

    @app.post("/v2/payment-requests")
    async def create(request: Request) -> JSONResponse:
        refused = _refusal(request)
        if refused is not None:
            return refused
        answer = peer.create(await request.json())
        await asyncio.sleep(peer.faults.create_delay_seconds)
        return JSONResponse(answer)

    @app.get("/v2/payment-requests/{ref}")
    async def get(ref: str, request: Request) -> JSONResponse:
        refused = _refusal(request)
        if refused is not None:
            return refused
        link = peer.find(ref)
        if link is None:
            return JSONResponse(peer.envelope(None, "101", "Không tìm thấy đơn thanh toán"))
        return JSONResponse(peer.envelope(link.data()))

    @app.post("/v2/payment-requests/{ref}/cancel")
    async def cancel(ref: str, request: Request) -> JSONResponse:
        refused = _refusal(request)
        link = peer.find(ref)
        if refused is not None or link is None:
            return refused or JSONResponse(peer.envelope(None, "101", "Không tìm thấy đơn thanh toán"))
        body = await request.json()
        link.status, link.cancellation_reason = "CANCELLED", body.get("cancellationReason")
        link.canceled_at = datetime.now(UTC).astimezone(VN_TZ).isoformat(timespec="seconds")
        return JSONResponse(peer.envelope(link.data()))

    @app.post("/confirm-webhook")
    async def confirm(request: Request) -> JSONResponse:
        refused = _refusal(request)
        if refused is not None:
            return refused
        url = (await request.json())["webhookUrl"]
        async with httpx.AsyncClient() as http:
            answer = await http.post(url, content=peer.callback(dict(CONFIRM_SAMPLE)), timeout=10)
        if not answer.is_success:
            return JSONResponse(peer.envelope(None, "20", "Webhook url invalid"), status_code=400)
        peer.webhook_url = url
        return JSONResponse(
            peer.envelope(
                {
                    "webhookUrl": url,
                    "accountName": peer.account_name,
                    "accountNumber": peer.account_number,
                    "name": peer.account_name,
                    "shortName": "DEMO",
                }
            )
        )

    return app
