"""The emulated card's own cryptography, written from ICAO 9303-11 and the curve standards independently of the
kiosk's code: pycryptodome for DES, 3DES, AES and CMAC; plain-integer elliptic-curve arithmetic (affine coordinates,
double-and-add) and modular exponentiation for the key agreements. Slow and simple on purpose: a mistake the kiosk
makes in `ecdsa`- or `cryptography`-backed code cannot be repeated here by sharing it. A test checks these curve
constants against `cryptography`'s own curves.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from Crypto.Cipher import AES, DES, DES3
from Crypto.Hash import CMAC


def pad(data: bytes, block: int = 8) -> bytes:
    data += b"\x80"
    return data + bytes(-len(data) % block)


def unpad(data: bytes) -> bytes:
    return data[: data.rstrip(b"\x00").rindex(b"\x80")]


def kdf(secret: bytes, counter: int, cipher_arc: int) -> bytes:
    """KDF(K, c): SHA-1 for 3DES (arc 1) and AES-128 (arc 2), SHA-256 for AES-192/256 (arcs 3, 4)."""
    digest = hashlib.sha1 if cipher_arc in (1, 2) else hashlib.sha256
    length = {1: 16, 2: 16, 3: 24, 4: 32}[cipher_arc]
    return digest(secret + counter.to_bytes(4, "big")).digest()[:length]


def retail_mac(key: bytes, data: bytes) -> bytes:
    state = bytes(8)
    for i in range(0, len(data := pad(data)), 8):
        block = bytes(a ^ b for a, b in zip(state, data[i : i + 8], strict=True))
        state = DES.new(key[:8], DES.MODE_ECB).encrypt(block)
    state = DES.new(key[8:16], DES.MODE_ECB).decrypt(state)
    return DES.new(key[:8], DES.MODE_ECB).encrypt(state)


def tdes(key: bytes) -> DES3:  # type: ignore[valid-type]
    return DES3.new(key, DES3.MODE_CBC, iv=bytes(8))


def cmac(key: bytes, data: bytes) -> bytes:
    return CMAC.new(key, msg=data, ciphermod=AES).digest()


@dataclass(frozen=True)
class SmKeys:
    """Session keys of one secure messaging session; AES when `aes`, else 3DES."""

    enc: bytes
    mac: bytes
    aes: bool

    @property
    def block(self) -> int:
        return 16 if self.aes else 8

    def _cipher(self, ssc: int) -> object:
        if not self.aes:
            return tdes(self.enc)
        iv = AES.new(self.enc, AES.MODE_ECB).encrypt(ssc.to_bytes(16, "big"))
        return AES.new(self.enc, AES.MODE_CBC, iv=iv)

    def encrypt(self, ssc: int, data: bytes) -> bytes:
        return self._cipher(ssc).encrypt(pad(data, self.block))  # type: ignore[attr-defined,no-any-return]

    def decrypt(self, ssc: int, data: bytes) -> bytes:
        return unpad(self._cipher(ssc).decrypt(data))  # type: ignore[attr-defined]

    def sign(self, ssc: int, data: bytes) -> bytes:
        counter = ssc.to_bytes(16 if self.aes else 8, "big")
        if self.aes:
            return cmac(self.mac, pad(counter + data, 16))[:8]
        return retail_mac(self.mac, counter + data)


@dataclass(frozen=True)
class Curve:
    """A short Weierstrass curve y² = x³ + ax + b over GF(p) with base point (gx, gy) of order n."""

    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    def add(self, one: tuple[int, int] | None, other: tuple[int, int] | None) -> tuple[int, int] | None:
        if one is None:
            return other
        if other is None:
            return one
        (x1, y1), (x2, y2) = one, other
        if x1 == x2 and (y1 + y2) % self.p == 0:
            return None
        if one == other:
            slope = (3 * x1 * x1 + self.a) * pow(2 * y1, -1, self.p) % self.p
        else:
            slope = (y2 - y1) * pow(x2 - x1, -1, self.p) % self.p
        x3 = (slope * slope - x1 - x2) % self.p
        return x3, (slope * (x1 - x3) - y1) % self.p

    def multiply(self, k: int, point: tuple[int, int] | None) -> tuple[int, int] | None:
        result = None
        while k:
            if k & 1:
                result = self.add(result, point)
            point = self.add(point, point)
            k >>= 1
        return result

    def encode(self, point: tuple[int, int] | None) -> bytes:
        assert point is not None
        return b"\x04" + point[0].to_bytes(self.size, "big") + point[1].to_bytes(self.size, "big")

    def decode(self, data: bytes) -> tuple[int, int] | None:
        """The point, or None when it is not an uncompressed point on the curve."""
        if len(data) != 1 + 2 * self.size or data[0] != 4:
            return None
        x, y = int.from_bytes(data[1 : 1 + self.size], "big"), int.from_bytes(data[1 + self.size :], "big")
        if (y * y - x * x * x - self.a * x - self.b) % self.p:
            return None
        return x, y


P256 = Curve(
    "secp256r1",
    0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    -3,
    0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)
BRAINPOOL_P256R1 = Curve(
    "brainpoolP256r1",
    0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
    0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
    0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
    0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
    0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
    0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
)
BRAINPOOL_P384R1 = Curve(
    "brainpoolP384r1",
    0x8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53,
    0x7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826,
    0x04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11,
    0x1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E,
    0x8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315,
    0x8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565,
)
# PACE's standardized domain parameter identifiers (ICAO 9303-11 §9.5.1) for the curves the test card offers.
CURVES_BY_PARAMETER_ID = {12: P256, 13: BRAINPOOL_P256R1, 16: BRAINPOOL_P384R1}


@dataclass(frozen=True)
class ModpGroup:
    """RFC 5114 §2.1 (PACE parameter 0), the group of the DH worked example."""

    p: int
    g: int
    q: int

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8


MODP_1024_160 = ModpGroup(
    p=int(
        "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013EC"
        "B4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F"
        "0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371",
        16,
    ),
    g=int(
        "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213160"
        "217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28AD662A4"
        "D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5",
        16,
    ),
    q=0xF518AA8781A8DF278ABA4E7D64B7CB9D49462353,
)


def random_scalar(order: int) -> int:
    return 1 + secrets.randbelow(order - 1)
