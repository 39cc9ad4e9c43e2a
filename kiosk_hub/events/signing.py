"""Webhook signatures: HMAC-SHA256 over the timestamp and the body, as `Kiosk-Hub-Signature: t=<unix>,v1=<hex>`.

A receiver recomputes HMAC-SHA256(secret, f"{t}.".encode() + body), compares it in constant time, and refuses a
`t` more than the replay window (default 300 s) away from its own clock: a captured request cannot be replayed
later, and a changed body or timestamp breaks the signature. `verify` is the receiver's side, usable as is.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Kiosk-Hub-Signature"
DEFAULT_WINDOW = 300


class SignatureError(ValueError):
    """A webhook whose signature is missing, malformed, wrong, or outside the replay window."""


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value for a body sent at `timestamp` (Unix seconds)."""
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes, now: int, window: int = DEFAULT_WINDOW) -> int:
    """Check a received webhook; its signed timestamp, or SignatureError."""
    if not header:
        raise SignatureError("no signature")
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    stamps = fields.get("t", [])
    if len(stamps) != 1 or not stamps[0].isdigit():
        raise SignatureError("malformed timestamp")
    timestamp = int(stamps[0])
    if abs(now - timestamp) > window:
        raise SignatureError("outside the replay window")
    expected = _mac(secret, timestamp, body)
    # Several v1 values may be sent while a secret is being rotated: any one matching is enough.
    if not any(hmac.compare_digest(expected, given) for given in fields.get("v1", [])):
        raise SignatureError("signature does not match")
    return timestamp
