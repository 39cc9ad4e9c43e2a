"""Checks the hub's Ed25519 signatures (on a configuration, on a key change) before anything else looks inside."""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.remote_config.envelope import KeyChange, SignedConfig, key_id_of


class ConfigRefusedError(Exception):
    """The kiosk will not apply this document; `reason` is a stable code for the hub and the log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def load_public_key(b64: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(b64, validate=True))


def public_key_id(key: Ed25519PublicKey) -> str:
    return key_id_of(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def _signature_bytes(signature: str) -> bytes:
    if not signature:
        raise ConfigRefusedError("unsigned")
    try:
        return base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigRefusedError("bad_signature", "not base64") from exc


def verify(document: SignedConfig, public_key: Ed25519PublicKey) -> None:
    """Raises ConfigRefusedError unless `public_key` signed exactly this document (its format's signed bytes)."""
    signature = _signature_bytes(document.signature)
    try:
        public_key.verify(signature, document.signed_bytes())
    except InvalidSignature as exc:
        raise ConfigRefusedError("bad_signature") from exc


def verify_key_change(change: KeyChange, previous: Ed25519PublicKey) -> Ed25519PublicKey:
    """The new key of `change` if `previous` signed it and the key matches its name; else ConfigRefusedError."""
    try:
        signature = _signature_bytes(change.signature)
        previous.verify(signature, change.signed_bytes())
        new_key = load_public_key(change.public_key)
    except (ConfigRefusedError, InvalidSignature, binascii.Error, ValueError) as exc:
        raise ConfigRefusedError("bad_key_change", f"to {change.key_id}") from exc
    if public_key_id(new_key) != change.key_id:
        raise ConfigRefusedError("bad_key_change", f"{change.key_id} does not name its key")
    return new_key
