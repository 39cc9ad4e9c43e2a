"""ICAO 9303 Part 11 symmetric crypto for BAC: key derivation, 2-key 3DES-CBC and the ISO 9797-1 MAC algorithm 3.

All cipher work goes through `cryptography` (3DES lives in its `decrepit` module: the algorithm is old, but BAC
cards speak nothing else).
"""

from __future__ import annotations

import hashlib
from enum import IntEnum

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

BLOCK = 8
_ZERO_IV = bytes(BLOCK)


class KeyPurpose(IntEnum):
    """The counter appended to the seed (ICAO 9303-11 §9.7.1): 1 for encryption, 2 for MAC."""

    ENC = 1
    MAC = 2
    PACE = 3  # K_pi, the key that encrypts PACE's nonce (§9.7.3)


def key_seed(mrz_information: str) -> bytes:
    """Kseed: the first 16 bytes of SHA-1 over the MRZ information (document number, DOB, expiry with check digits)."""
    return hashlib.sha1(mrz_information.encode("ascii")).digest()[:16]  # noqa: S324 - mandated by ICAO 9303


def _with_odd_parity(key: bytes) -> bytes:
    # DES ignores the parity bits, but the worked example in ICAO 9303 shows them adjusted: do the same so the
    # derived keys can be compared with it byte for byte.
    out = bytearray(key)
    for i, b in enumerate(out):
        ones = bin(b & 0xFE).count("1")
        out[i] = (b & 0xFE) | (0 if ones % 2 else 1)
    return bytes(out)


def derive_key(seed: bytes, purpose: KeyPurpose) -> bytes:
    """A 16-byte 2-key 3DES key (Ka || Kb) from a seed and a purpose counter."""
    digest = hashlib.sha1(seed + int(purpose).to_bytes(4, "big")).digest()  # noqa: S324 - mandated by ICAO 9303
    return _with_odd_parity(digest[:16])


def pad(data: bytes, block: int = BLOCK) -> bytes:
    """ISO/IEC 9797-1 padding method 2: 0x80 then zeros up to a whole block (8 bytes for DES, 16 for AES)."""
    data = data + b"\x80"
    return data + bytes(-len(data) % block)


def unpad(data: bytes) -> bytes:
    """Remove padding method 2; raises ValueError when the padding is not there."""
    end = data.rstrip(b"\x00")
    if not end or end[-1] != 0x80:
        raise ValueError("bad padding")
    return end[:-1]


def _three_des(key: bytes) -> TripleDES:
    return TripleDES(key + key[:8] if len(key) == 16 else key)  # 2-key 3DES: K1 K2 K1


def _single_des(key: bytes) -> TripleDES:
    return TripleDES(key * 3)  # K K K is single DES


def encrypt(key: bytes, data: bytes) -> bytes:
    """3DES-CBC with a zero IV over already padded data (BAC and its secure messaging)."""
    encryptor = Cipher(_three_des(key), modes.CBC(_ZERO_IV)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def decrypt(key: bytes, data: bytes) -> bytes:
    """Inverse of `encrypt`."""
    decryptor = Cipher(_three_des(key), modes.CBC(_ZERO_IV)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 (retail MAC) with DES and padding method 2; returns 8 bytes.

    Single DES-CBC under Ka over every block, then the last block is decrypted under Kb and encrypted under Ka.
    """
    ka, kb = key[:8], key[8:16]
    padded = pad(data)
    cbc = Cipher(_single_des(ka), modes.CBC(_ZERO_IV)).encryptor()
    last = (cbc.update(padded) + cbc.finalize())[-BLOCK:]
    step2 = Cipher(_single_des(kb), modes.ECB()).decryptor()  # noqa: S305 - one block, as the standard says
    middle = step2.update(last) + step2.finalize()
    step3 = Cipher(_single_des(ka), modes.ECB()).encryptor()  # noqa: S305 - one block, as the standard says
    return step3.update(middle) + step3.finalize()
