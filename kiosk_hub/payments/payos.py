"""payOS (payos.vn, by Casso) as the hub's payment gateway, written from its public API documentation.

- Open: `POST /v2/payment-requests` with `x-client-id` / `x-api-key`, the body signed over its five fields; the
  answer's `data` (signed) carries the VietQR (`qrCode`) into the hospital's own linked account.
- Poll: `GET /v2/payment-requests/{orderCode}`; the answer's `data` is signed and lists the transfers.
- Callback: payOS POSTs `{code, desc, success, data, signature}` to the hub; `signature` is over `data`.
Every answer is `{code, desc, data, signature}`; `code` "00" is success. 408, 429 and 5xx are worth asking again.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import httpx

from kiosk.domain.dates import VN_TZ
from kiosk_hub.payments.gateway import (
    ForgedCallbackError,
    GatewayRefusedError,
    GatewayStatus,
    GatewayUnavailableError,
    MalformedCallbackError,
    OpenedPayment,
    PaymentOpening,
    Transfer,
)
from kiosk_hub.payments.payos_signature import sign_payment_request, signed_by
from kiosk_hub.settings import PaymentSettings

log = logging.getLogger("kiosk_hub.payments")
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
SUCCESS = "00"


def parse_moment(text: str) -> datetime:
    """payOS writes callback times as local `2025-01-01 09:15:30` and poll times as `2025-01-01T09:15:30+07:00`."""
    moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    return moment.replace(tzinfo=VN_TZ) if moment.tzinfo is None else moment


class PayOsGateway:
    name = "payos"

    def __init__(self, settings: PaymentSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http
        self._base = settings.base_url.rstrip("/")
        self._key = settings.checksum_key.get_secret_value()
        self._headers = {"x-client-id": settings.client_id, "x-api-key": settings.api_key.get_secret_value()}

    async def open(self, opening: PaymentOpening) -> OpenedPayment:
        body: dict[str, Any] = {
            "orderCode": opening.order_code,
            "amount": opening.amount_vnd,
            "description": opening.reference,
            "cancelUrl": opening.status_url,
            "returnUrl": opening.status_url,
            "items": [{"name": opening.service_name[:100], "quantity": 1, "price": opening.amount_vnd}],
            "expiredAt": int(opening.closes_at.timestamp()),
        }
        body["signature"] = sign_payment_request(body, self._key)
        data = await self._call("POST", "/v2/payment-requests", body)
        try:
            return OpenedPayment(
                provider_ref=str(data["paymentLinkId"]),
                qr_payload=str(data["qrCode"]),
                account_name=str(data.get("accountName") or ""),
                bank_bin=str(data["bin"]),
                account_number=str(data["accountNumber"]),
            )
        except KeyError as exc:
            raise GatewayUnavailableError(f"payment request answer without {exc}") from exc

    async def status(self, order_code: int) -> GatewayStatus:
        data = await self._call("GET", f"/v2/payment-requests/{order_code}", None)
        try:
            transfers = tuple(_transfer(t, order_code) for t in data.get("transactions") or ())
            return GatewayStatus(status=str(data["status"]), transfers=transfers)
        except (KeyError, TypeError, ValueError) as exc:
            raise GatewayUnavailableError(f"payment status answer unreadable: {type(exc).__name__}") from exc

    def read_callback(self, body: bytes) -> Transfer | None:
        try:
            envelope = json.loads(body)
        except ValueError as exc:
            raise MalformedCallbackError("not JSON") from exc
        if not isinstance(envelope, dict) or not isinstance(envelope.get("data"), dict):
            raise MalformedCallbackError("no data object")
        data: dict[str, Any] = envelope["data"]
        if not signed_by(data, envelope.get("signature"), self._key):
            raise ForgedCallbackError("signature does not match the checksum key")
        if envelope.get("code") != SUCCESS or data.get("code", SUCCESS) != SUCCESS:
            return None  # payOS reports a failed transfer: nothing was credited
        try:
            return _transfer(data, None)
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedCallbackError(f"data unreadable: {type(exc).__name__}") from exc

    async def _call(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        """One request, asked again once on 408/429/5xx or a dropped connection; the answer's `data` once its
        signature is checked."""
        for attempt in (1, 2):
            try:
                response = await self._http.request(
                    method, self._base + path, json=body, headers=self._headers, timeout=self._settings.timeout_seconds
                )
            except httpx.HTTPError as exc:
                if attempt == 2:
                    raise GatewayUnavailableError(f"{method} {path}: {type(exc).__name__}") from exc
                continue
            if response.status_code in RETRY_STATUS and attempt == 1:
                continue
            return self._read(response, path)
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _read(self, response: httpx.Response, path: str) -> dict[str, Any]:
        try:
            envelope = response.json()
        except ValueError as exc:
            raise GatewayUnavailableError(f"{path}: HTTP {response.status_code}, not JSON") from exc
        code = str(envelope.get("code", "")) if isinstance(envelope, dict) else ""
        if response.status_code >= 500 or not isinstance(envelope, dict):
            raise GatewayUnavailableError(f"{path}: HTTP {response.status_code}")
        if code != SUCCESS:
            raise GatewayRefusedError(code or f"http_{response.status_code}", str(envelope.get("desc", ""))[:200])
        data = envelope.get("data")
        if not isinstance(data, dict) or not signed_by(data, envelope.get("signature"), self._key):
            raise GatewayUnavailableError(f"{path}: answer not signed with the checksum key")
        return data


def _transfer(item: dict[str, Any], order_code: int | None) -> Transfer:
    code = item.get("orderCode", order_code)
    return Transfer(
        order_code=int(code) if code is not None else None,
        amount_vnd=int(item["amount"]),
        bank_reference=str(item["reference"]),
        account_number=str(item.get("accountNumber") or ""),
        description=str(item.get("description") or "")[:200],
        transferred_at=parse_moment(str(item["transactionDateTime"])).astimezone(UTC),
        payer_bank=str(item["counterAccountBankId"])[:16] if item.get("counterAccountBankId") else None,
        payer_account=str(item["counterAccountNumber"]) if item.get("counterAccountNumber") else None,
    )
