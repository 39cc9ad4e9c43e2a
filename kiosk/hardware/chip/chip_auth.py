"""Proving the chip is the original (ICAO 9303-11 §6.1, §6.2). A cloned chip carries the same signed data but not
the private key that only the original holds:

- chip authentication: the kiosk agrees a key with DG14's static key (ECDH or DH) and secure messaging restarts
  under keys derived from it. Only a chip with the private key can answer under the new keys; the first answer's MAC
  is the proof (`ChipAuthFailedError` when it fails, or when the card refuses the exchange).
- active authentication: DG15's key signs a random challenge (RSA with ISO/IEC 9796-2 message recovery, or ECDSA).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from typing import Any

from asn1crypto import core
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from ecdsa import BadSignatureError, VerifyingKey
from ecdsa.der import UnexpectedDER
from ecdsa.util import sigdecode_string

from kiosk.hardware.chip import crypto
from kiosk.hardware.chip.apdu import Command, StatusWord, tlv
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.key_agreement import KeyAgreementError, RandomBytes, random_private_key
from kiosk.hardware.chip.lds import unwrap_file
from kiosk.hardware.chip.secure_messaging import SecureChannel
from kiosk.hardware.chip.security_infos import ChipAuthInfo, ChipAuthKey, SecurityInfoSet
from kiosk.hardware.chip.session import SecureSession
from kiosk.hardware.chip.sm_cipher import CipherSuite, derive_key

DG15_TAG = 0x6F
# ISO/IEC 9796-2 trailer hash identifiers (…CC), and BC for SHA-1 implied.
_TRAILER_HASHES: dict[int, Callable[..., Any]] = {
    0x33: hashlib.sha1,
    0x34: hashlib.sha256,
    0x35: hashlib.sha512,
    0x36: hashlib.sha384,
    0x38: hashlib.sha224,
}
# ActiveAuthenticationInfo's signature algorithm: BSI TR-03111 plain ECDSA and X9.62 ECDSA identifiers.
_ECDSA_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "0.4.0.127.0.7.1.1.4.1.1": hashes.SHA1,
    "0.4.0.127.0.7.1.1.4.1.2": hashes.SHA224,
    "0.4.0.127.0.7.1.1.4.1.3": hashes.SHA256,
    "0.4.0.127.0.7.1.1.4.1.4": hashes.SHA384,
    "0.4.0.127.0.7.1.1.4.1.5": hashes.SHA512,
    "1.2.840.10045.4.1": hashes.SHA1,
    "1.2.840.10045.4.3.1": hashes.SHA224,
    "1.2.840.10045.4.3.2": hashes.SHA256,
    "1.2.840.10045.4.3.3": hashes.SHA384,
    "1.2.840.10045.4.3.4": hashes.SHA512,
}


class ChipAuthFailedError(Exception):
    """Chip authentication did not go through: the card refused it or cannot answer under the agreed keys."""


def _pair(infos: SecurityInfoSet) -> tuple[ChipAuthKey, ChipAuthInfo | None]:
    """The first chip key and the ChipAuthenticationInfo with its key identifier (or the only one)."""
    key = infos.chip_auth_keys[0]
    info = next((i for i in infos.chip_auth if i.key_id == key.key_id), None)
    return key, info or next(iter(infos.chip_auth), None)


def chip_authenticate(session: SecureSession, infos: SecurityInfoSet, random_bytes: RandomBytes = os.urandom) -> None:
    """Agree a key with DG14's chip key and re-key `session` (counter at zero). The new keys are proven by the next
    answer's MAC, which the caller must treat as part of this step."""
    key, info = _pair(infos)
    # Without a ChipAuthenticationInfo, version 1 with 3DES is implied (ICAO 9303-11 §9.2.5).
    suite = info.suite if info is not None else CipherSuite.TDES_CBC_CBC
    private = random_private_key(key.group, random_bytes)
    try:
        shared = key.group.shared_secret(private, key.public)
    except KeyAgreementError as exc:
        raise ChipAuthFailedError(f"DG14 key: {exc}") from exc
    public = key.group.public_key(private)
    key_reference = b""
    if key.key_id is not None:  # which chip key, when DG14 holds several
        key_reference = tlv(0x84, key.key_id.to_bytes(max(1, (key.key_id.bit_length() + 7) // 8), "big"))
    if suite is CipherSuite.TDES_CBC_CBC:
        _require(session.send(Command(0x00, 0x22, 0x41, 0xA6, tlv(0x91, public) + key_reference), "MSE:Set KAT"))
    else:
        assert info is not None  # AES is only ever named by a ChipAuthenticationInfo
        oid = core.ObjectIdentifier(info.protocol).contents
        _require(session.send(Command(0x00, 0x22, 0x41, 0xA4, tlv(0x80, oid) + key_reference), "MSE:Set AT"))
        body = tlv(0x7C, tlv(0x80, public))
        _require(session.send(Command(0x00, 0x86, 0x00, 0x00, body, le=256), "GENERAL AUTHENTICATE"))
    ks_enc = derive_key(shared, crypto.KeyPurpose.ENC, suite)
    ks_mac = derive_key(shared, crypto.KeyPurpose.MAC, suite)
    session.channel = SecureChannel(ks_enc, ks_mac, 0, suite.cipher)


def _require(answer: tuple[bytes, int]) -> None:
    if answer[1] != StatusWord.OK:
        raise ChipAuthFailedError(f"SW {answer[1]:04X}")


def iso9796_2_recovers(public: rsa.RSAPublicKey, signature: bytes, challenge: bytes) -> bool:
    """RSA active authentication: ISO/IEC 9796-2 scheme 1 with partial message recovery (ICAO 9303-11 §6.1)."""
    numbers = public.public_numbers()
    size = (numbers.n.bit_length() + 7) // 8
    value = int.from_bytes(signature, "big")
    if not 0 < value < numbers.n:
        return False
    recovered = pow(value, numbers.e, numbers.n)
    if recovered & 0x0F != 0x0C:
        recovered = numbers.n - recovered  # the signature may be min(s, n − s)
    message = recovered.to_bytes(size, "big")
    if message[0] != 0x6A:
        return False
    digest: Callable[..., Any]
    if message[-1] == 0xBC:
        digest, trailer = hashlib.sha1, 1
    elif message[-1] == 0xCC and message[-2] in _TRAILER_HASHES:
        digest, trailer = _TRAILER_HASHES[message[-2]], 2
    else:
        return False
    length = digest().digest_size
    if size < 1 + length + trailer:
        return False
    m1 = message[1 : size - length - trailer]
    return hmac.compare_digest(message[size - length - trailer : size - trailer], digest(m1 + challenge).digest())


def _ecdsa_verifies(spki: bytes, signature: bytes, challenge: bytes, algorithm: str | None) -> bool:
    try:
        key = serialization.load_der_public_key(spki)
    except (ValueError, UnsupportedAlgorithm):
        key = None  # explicit curve parameters: cryptography refuses them, ecdsa takes them
    if isinstance(key, ec.EllipticCurvePublicKey):
        digest = _ECDSA_HASHES.get(algorithm or "") or _hash_for_bits(key.curve.key_size)
        half = len(signature) // 2
        r, s = int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
        try:
            key.verify(encode_dss_signature(r, s), challenge, ec.ECDSA(digest()))
        except (InvalidSignature, ValueError):
            return False
        return True
    try:
        verifier = VerifyingKey.from_der(spki, valid_curve_encodings=("named_curve", "explicit"))
        digest = _ECDSA_HASHES.get(algorithm or "") or _hash_for_bits(verifier.curve.order.bit_length())
        hashfunc = getattr(hashlib, digest().name)
        return bool(verifier.verify(signature, challenge, hashfunc=hashfunc, sigdecode=sigdecode_string))
    except (BadSignatureError, UnexpectedDER, ValueError, AssertionError):
        return False


def _hash_for_bits(bits: int) -> type[hashes.HashAlgorithm]:
    # Without an ActiveAuthenticationInfo, the hash that matches the curve (BSI TR-03111's pairing).
    return hashes.SHA256 if bits <= 256 else hashes.SHA384 if bits <= 384 else hashes.SHA512


def active_authenticate(
    session: SecureSession, dg15: bytes, signature_algorithm: str | None, random_bytes: RandomBytes = os.urandom
) -> bool:
    """INTERNAL AUTHENTICATE with an 8-byte challenge; whether DG15's key signed it. BAD_DATA for an unusable DG15."""
    spki = unwrap_file(dg15, DG15_TAG)
    try:
        public = serialization.load_der_public_key(spki)
    except (ValueError, UnsupportedAlgorithm):
        public = None
    challenge = random_bytes(8)
    signature, sw = session.send(Command(0x00, 0x88, 0x00, 0x00, challenge, le=256), "INTERNAL AUTHENTICATE")
    if sw != StatusWord.OK or not signature:
        return False
    if isinstance(public, rsa.RSAPublicKey):
        return iso9796_2_recovers(public, signature, challenge)
    if public is not None and not isinstance(public, ec.EllipticCurvePublicKey):
        raise ChipError(ChipErrorCode.BAD_DATA, "DG15 key type")
    return _ecdsa_verifies(spki, signature, challenge, signature_algorithm)
