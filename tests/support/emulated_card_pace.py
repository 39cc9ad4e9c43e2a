"""PACE on the emulated card's side (ICAO 9303-11 §4.4, generic mapping over ECDH or DH, MRZ password), written
from the standard with the card's own arithmetic (`emulated_card_crypto`), not the kiosk's.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from asn1crypto import core
from Crypto.Cipher import AES

from tests.support.emulated_card_crypto import (
    CURVES_BY_PARAMETER_ID,
    MODP_1024_160,
    Curve,
    ModpGroup,
    SmKeys,
    cmac,
    kdf,
    random_scalar,
    retail_mac,
    tdes,
)

OK, AUTH_FAILED, REFUSED, WRONG_DATA = b"\x90\x00", b"\x63\x00", b"\x69\x85", b"\x6a\x80"


def tlv(tag: int, value: bytes) -> bytes:
    n = len(value)
    head = bytes((n,)) if n < 0x80 else (b"\x81" + bytes((n,)) if n < 0x100 else b"\x82" + n.to_bytes(2, "big"))
    return bytes((tag,)) + head + value


def objects(data: bytes) -> dict[int, bytes]:
    """One level of single-byte-tag TLVs (what secure messaging and GENERAL AUTHENTICATE carry)."""
    found, i = {}, 0
    while i < len(data):
        tag, length, i = data[i], data[i + 1], i + 2
        if length == 0x81:
            length, i = data[i], i + 1
        elif length == 0x82:
            length, i = int.from_bytes(data[i : i + 2], "big"), i + 2
        found[tag], i = data[i : i + length], i + length
    return found


def token(protocol: str, key_object: bytes, mac_key: bytes, cipher_arc: int) -> bytes:
    body = core.ObjectIdentifier(protocol).dump() + key_object
    data = (
        b"\x7f\x49" + bytes((len(body),)) + body if len(body) < 0x80 else b"\x7f\x49\x81" + bytes((len(body),)) + body
    )
    return retail_mac(mac_key, data) if cipher_arc == 1 else cmac(mac_key, data)[:8]


@dataclass
class CardPace:
    """One PACE run: `step` answers the GENERAL AUTHENTICATE commands in turn; `keys` once the tokens matched."""

    protocol: str  # dotted id-PACE-…-GM-…
    parameter_id: int
    password: bytes  # SHA-1 of the MRZ information
    refuse_at_step: int | None = None
    keys: SmKeys | None = None
    _step: int = 0
    _nonce_value: int = 0
    _generator: object = None  # the mapped generator: a point, or an integer for DH
    _own: bytes = b""
    _terminal: bytes = b""
    _secret: bytes = b""

    @property
    def cipher_arc(self) -> int:
        return int(self.protocol.rsplit(".", 1)[1])

    @property
    def group(self) -> Curve | ModpGroup:
        return MODP_1024_160 if self.parameter_id == 0 else CURVES_BY_PARAMETER_ID[self.parameter_id]

    def _public(self, private: int, generator: object) -> bytes:
        group = self.group
        if isinstance(group, ModpGroup):
            return pow(generator, private, group.p).to_bytes(group.size, "big")
        return group.encode(group.multiply(private, generator))

    def _agree(self, private: int, peer: bytes) -> object | None:
        """private·peer: a point (EC) or an integer (DH); None for a peer key outside the group."""
        group = self.group
        if isinstance(group, ModpGroup):
            value = int.from_bytes(peer, "big")
            return pow(value, private, group.p) if 1 < value < group.p - 1 else None
        point = group.decode(peer)
        return group.multiply(private, point) if point is not None else None

    def general_authenticate(self, data: bytes) -> tuple[bytes, bytes]:
        """The answer to the next step, and its status word."""
        self._step += 1
        if self.refuse_at_step == self._step:
            return b"", REFUSED
        body = objects(objects(data).get(0x7C, b""))
        handler = {1: self._nonce, 2: self._map, 3: self._agree_keys, 4: self._authenticate}.get(self._step)
        return handler(body) if handler is not None else (b"", REFUSED)

    def _nonce(self, _body: dict[int, bytes]) -> tuple[bytes, bytes]:
        k_pi = kdf(self.password, 3, self.cipher_arc)
        size = 8 if self.cipher_arc == 1 else 16
        nonce = os.urandom(size)
        cipher = tdes(k_pi) if self.cipher_arc == 1 else AES.new(k_pi, AES.MODE_CBC, iv=bytes(16))
        self._nonce_value = int.from_bytes(nonce, "big")
        return tlv(0x7C, tlv(0x80, cipher.encrypt(nonce))), OK

    def _map(self, body: dict[int, bytes]) -> tuple[bytes, bytes]:
        group = self.group
        private = random_scalar(group.q if isinstance(group, ModpGroup) else group.n)
        shared = self._agree(private, body.get(0x81, b""))
        if shared is None:
            return b"", WRONG_DATA
        nonce = self._nonce_value
        if isinstance(group, ModpGroup):
            self._generator = pow(group.g, nonce, group.p) * shared % group.p
            own = pow(group.g, private, group.p).to_bytes(group.size, "big")
        else:
            base = (group.gx, group.gy)
            self._generator = group.add(group.multiply(nonce, base), shared)
            own = group.encode(group.multiply(private, base))
        return tlv(0x7C, tlv(0x82, own)), OK

    def _agree_keys(self, body: dict[int, bytes]) -> tuple[bytes, bytes]:
        group = self.group
        terminal = body.get(0x83, b"")
        private = random_scalar(group.q if isinstance(group, ModpGroup) else group.n)
        own = self._public(private, self._generator)
        shared = self._agree(private, terminal)
        if shared is None or terminal == own:
            return b"", WRONG_DATA
        if isinstance(group, ModpGroup):
            secret = shared.to_bytes(group.size, "big")
        else:
            secret = shared[0].to_bytes(group.size, "big")
        self._own, self._terminal, self._secret = own, terminal, secret
        return tlv(0x7C, tlv(0x84, own)), OK

    def _key_object(self, public: bytes) -> bytes:
        if isinstance(self.group, ModpGroup):
            return tlv(0x84, public.lstrip(b"\x00"))
        return tlv(0x86, public)

    def _authenticate(self, body: dict[int, bytes]) -> tuple[bytes, bytes]:
        enc, mac = kdf(self._secret, 1, self.cipher_arc), kdf(self._secret, 2, self.cipher_arc)
        expected = token(self.protocol, self._key_object(self._own), mac, self.cipher_arc)
        if not hmac.compare_digest(body.get(0x85, b""), expected):
            return b"", AUTH_FAILED  # the kiosk derived other keys: a wrong password
        self.keys = SmKeys(enc, mac, aes=self.cipher_arc != 1)
        reply = token(self.protocol, self._key_object(self._terminal), mac, self.cipher_arc)
        return tlv(0x7C, tlv(0x86, reply)), OK


def mrz_password(mrz_information: str) -> bytes:
    return hashlib.sha1(mrz_information.encode("ascii")).digest()
