"""payOS's signatures: HMAC-SHA256, keyed with the merchant's checksum key, over a canonical `key=value&…` string.

From payOS's documentation ("Kiểm tra dữ liệu với signature") and its official SDKs: the keys of the signed object
sorted, each value as text (None and the strings "null"/"undefined" as empty, booleans as true/false, a list as
compact JSON with each object's keys sorted), joined with `&`, never URL-encoded. Callbacks and answers are signed
over their `data` object as received (all its keys, known or not); a payment request is signed over exactly five of
its fields.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping

PAYMENT_REQUEST_FIELDS = ("amount", "cancelUrl", "description", "orderCode", "returnUrl")


def _text(value: object) -> str:
    if value is None or value in ("undefined", "null"):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        items = [dict(sorted(item.items())) if isinstance(item, dict) else item for item in value]
        return json.dumps(items, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def canonical(data: Mapping[str, object]) -> str:
    return "&".join(f"{key}={_text(data[key])}" for key in sorted(data))


def _hmac(text: str, key: str) -> str:
    return hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def sign(data: Mapping[str, object], key: str) -> str:
    """The signature of a callback's or an answer's `data`."""
    return _hmac(canonical(data), key)


def sign_payment_request(body: Mapping[str, object], key: str) -> str:
    """The signature of a payment request: over amount, cancelUrl, description, orderCode, returnUrl only."""
    return _hmac("&".join(f"{f}={_text(body[f])}" for f in PAYMENT_REQUEST_FIELDS), key)


def signed_by(data: Mapping[str, object], signature: object, key: str) -> bool:
    """Whether `signature` is the checksum key's over `data` (compared in constant time)."""
    return isinstance(signature, str) and hmac.compare_digest(sign(data, key), signature.lower())
