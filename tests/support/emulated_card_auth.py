"""Chip and active authentication on the emulated card's side (ICAO 9303-11 §6.2, §6.1), with the card's own
arithmetic for the key agreement and the private keys of `ChipSecrets`. A clone has the files, so the public keys,
but not the private ones: it agrees with a key of its own and signs with nothing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from tests.support.emulated_card_crypto import CURVES_BY_PARAMETER_ID, MODP_1024_160, SmKeys, kdf, random_scalar
from tests.support.emulated_card_keys import ChipSecrets
from tests.support.emulated_card_pace import OK, REFUSED, WRONG_DATA, objects

NOT_SUPPORTED = b"\x6d\x00"


@dataclass
class CardChipAuthentication:
    """Answers MSE:Set KAT (3DES), or MSE:Set AT then GENERAL AUTHENTICATE (AES); gives the new session keys."""

    secrets: ChipSecrets
    clone: bool = False
    _cipher_arc: int | None = None

    def _private(self) -> int:
        offer = self.secrets.security.chip_auth
        assert offer is not None
        assert self.secrets.chip_auth_private is not None
        if self.clone:
            order = MODP_1024_160.q if offer.parameter_id == 0 else CURVES_BY_PARAMETER_ID[offer.parameter_id].n
            return random_scalar(order)
        return self.secrets.chip_auth_private

    def _keys(self, terminal: bytes, cipher_arc: int) -> SmKeys | None:
        offer = self.secrets.security.chip_auth
        if offer is None:
            return None
        private = self._private()
        if offer.parameter_id == 0:
            group = MODP_1024_160
            value = int.from_bytes(terminal, "big")
            if not 1 < value < group.p - 1:
                return None
            secret = pow(value, private, group.p).to_bytes(group.size, "big")
        else:
            curve = CURVES_BY_PARAMETER_ID[offer.parameter_id]
            point = curve.decode(terminal)
            shared = curve.multiply(private, point) if point is not None else None
            if shared is None:
                return None
            secret = shared[0].to_bytes(curve.size, "big")
        return SmKeys(kdf(secret, 1, cipher_arc), kdf(secret, 2, cipher_arc), aes=cipher_arc != 1)

    def set_key_agreement_template(self, data: bytes) -> tuple[SmKeys | None, bytes]:
        """MSE:Set KAT (41 A6): the kiosk's ephemeral key in DO91; 3DES keys."""
        if self.secrets.security.chip_auth is None:
            return None, NOT_SUPPORTED
        keys = self._keys(objects(data).get(0x91, b""), 1)
        return keys, OK if keys is not None else WRONG_DATA

    def set_authentication_template(self, data: bytes) -> bytes:
        """MSE:Set AT (41 A4): which chip authentication protocol (its OID's last arc is the cipher)."""
        offer = self.secrets.security.chip_auth
        oid = objects(data).get(0x80, b"")
        if offer is None or offer.cipher_arc is None or not oid:
            return REFUSED
        self._cipher_arc = oid[-1]
        return OK

    def general_authenticate(self, data: bytes) -> tuple[SmKeys | None, bytes]:
        if self._cipher_arc is None:
            return None, REFUSED
        keys = self._keys(objects(objects(data).get(0x7C, b"")).get(0x80, b""), self._cipher_arc)
        return keys, OK if keys is not None else WRONG_DATA


def _iso9796_2_sign(key: rsa.RSAPrivateKey, challenge: bytes) -> bytes:
    """ISO/IEC 9796-2 scheme 1, partial recovery, SHA-1 (trailer BC): 6A ‖ M1 ‖ H(M1 ‖ challenge) ‖ BC, raised to d."""
    numbers = key.private_numbers()
    n, d = numbers.public_numbers.n, numbers.d
    size = (n.bit_length() + 7) // 8
    m1 = os.urandom(size - 20 - 2)
    message = b"\x6a" + m1 + hashlib.sha1(m1 + challenge).digest() + b"\xbc"
    signature = pow(int.from_bytes(message, "big"), d, n)
    return min(signature, n - signature).to_bytes(size, "big")


def active_authentication_signature(secrets: ChipSecrets, challenge: bytes, clone: bool) -> bytes:
    """INTERNAL AUTHENTICATE's answer: RSA or plain ECDSA (r ‖ s) over the challenge; a clone can only guess."""
    key = secrets.active_auth_key
    assert key is not None
    if isinstance(key, rsa.RSAPrivateKey):
        return os.urandom(key.key_size // 8) if clone else _iso9796_2_sign(key, challenge)
    size = (key.curve.key_size + 7) // 8
    if clone:
        return os.urandom(2 * size)
    r, s = decode_dss_signature(key.sign(challenge, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")
