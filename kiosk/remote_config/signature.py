"""Checks the hub's Ed25519 signature on a configuration version before anything else looks at it."""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.remote_config.schema import SignedConfig, canonical_bytes


class ConfigRefusedError(Exception):
    """The kiosk will not apply this document; `reason` is a stable code for the hub and the log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def key_id(public_key_raw: bytes) -> str:
    return hashlib.sha256(public_key_raw).hexdigest()[:16]


def load_public_key(b64: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(b64, validate=True))


def verify(document: SignedConfig, public_key: Ed25519PublicKey) -> None:
    """Raises ConfigRefusedError unless the hub's key signed exactly this version and configuration."""
    if not document.signature:
        raise ConfigRefusedError("unsigned")
    try:
        signature = base64.b64decode(document.signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigRefusedError("bad_signature", "not base64") from exc
    try:
        public_key.verify(signature, canonical_bytes(document.version, document.config))
    except InvalidSignature as exc:
        raise ConfigRefusedError("bad_signature") from exc
