"""The two secure messaging ciphers of ICAO 9303-11 §9.8 and the key derivation function they share (§9.7.1).

BAC always speaks 2-key 3DES with the retail MAC. PACE and chip authentication name their cipher in the protocol's
object identifier: 3DES as for BAC, or AES-128/192/256 with CMAC, an IV made by encrypting the send sequence
counter, and 16-byte blocks. The file reader never sees which one it talks through.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum

from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from kiosk.hardware.chip import crypto


@dataclass(frozen=True, slots=True)
class TripleDesCipher:
    """BAC's cipher: CBC with a zero IV, ISO 9797-1 MAC algorithm 3, an 8-byte counter."""

    block: int = 8
    ssc_size: int = 8

    def encrypt(self, key: bytes, ssc: bytes, data: bytes) -> bytes:
        return crypto.encrypt(key, data)  # the IV is zero: the counter plays no part

    def decrypt(self, key: bytes, ssc: bytes, data: bytes) -> bytes:
        return crypto.decrypt(key, data)

    def mac(self, key: bytes, data: bytes) -> bytes:
        return crypto.mac(key, data)


@dataclass(frozen=True, slots=True)
class AesCipher:
    """AES secure messaging: CBC whose IV is E(K_enc, SSC), CMAC over padded data cut to 8 bytes, a 16-byte counter."""

    block: int = 16
    ssc_size: int = 16

    def _iv(self, key: bytes, ssc: bytes) -> bytes:
        encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305 - one block: the IV, as §9.8 says
        return encryptor.update(ssc) + encryptor.finalize()

    def encrypt(self, key: bytes, ssc: bytes, data: bytes) -> bytes:
        encryptor = Cipher(algorithms.AES(key), modes.CBC(self._iv(key, ssc))).encryptor()
        return encryptor.update(data) + encryptor.finalize()

    def decrypt(self, key: bytes, ssc: bytes, data: bytes) -> bytes:
        decryptor = Cipher(algorithms.AES(key), modes.CBC(self._iv(key, ssc))).decryptor()
        return decryptor.update(data) + decryptor.finalize()

    def mac(self, key: bytes, data: bytes) -> bytes:
        """Secure messaging's MAC: the data are padded first, then CMAC, cut to 8 bytes."""
        return self.cmac(key, crypto.pad(data, self.block))[:8]

    def cmac(self, key: bytes, data: bytes) -> bytes:
        """Plain AES-CMAC (PACE's authentication token MACs its data unpadded)."""
        signer = cmac.CMAC(algorithms.AES(key))
        signer.update(data)
        return signer.finalize()

    def plain_cbc(self, key: bytes, data: bytes, decrypt: bool) -> bytes:
        """CBC with a zero IV: how PACE encrypts its nonce (not secure messaging)."""
        cipher = Cipher(algorithms.AES(key), modes.CBC(bytes(self.block)))
        worker = cipher.decryptor() if decrypt else cipher.encryptor()
        return worker.update(data) + worker.finalize()


TDES = TripleDesCipher()
AES = AesCipher()


class CipherSuite(Enum):
    """The cipher and key length a protocol object identifier ends with (its last arc: 1, 2, 3 or 4)."""

    TDES_CBC_CBC = (1, 16)
    AES_CBC_CMAC_128 = (2, 16)
    AES_CBC_CMAC_192 = (3, 24)
    AES_CBC_CMAC_256 = (4, 32)

    @classmethod
    def from_arc(cls, arc: int) -> CipherSuite | None:
        return next((suite for suite in cls if suite.value[0] == arc), None)

    @property
    def key_length(self) -> int:
        return self.value[1]

    @property
    def cipher(self) -> TripleDesCipher | AesCipher:
        return TDES if self is CipherSuite.TDES_CBC_CBC else AES


def derive_key(secret: bytes, purpose: crypto.KeyPurpose, suite: CipherSuite) -> bytes:
    """KDF(K, c) of §9.7.1: SHA-1 for 3DES and AES-128, SHA-256 for AES-192/256, cut to the key length."""
    if suite is CipherSuite.TDES_CBC_CBC:
        return crypto.derive_key(secret, purpose)
    digest = hashlib.sha1 if suite is CipherSuite.AES_CBC_CMAC_128 else hashlib.sha256
    return digest(secret + int(purpose).to_bytes(4, "big")).digest()[: suite.key_length]
