"""Diffie-Hellman groups for PACE and chip authentication (ICAO 9303-11 §4.4, §6.2), elliptic-curve or modular.

PACE's generic mapping (§4.4.3.3.1) adds two points, G' = s·G + H, and then uses G' as the generator of the key
agreement. `cryptography` multiplies only a curve's own generator and returns only the x coordinate of a shared
point, so point arithmetic comes from `ecdsa` (python-ecdsa, maintained by the tlsfuzzer project, pure Python, no
system library). `cryptography` still does the steps that use a curve's own generator and every ECDH shared
secret, which need no addition and run much faster in C.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from ecdsa.curves import Curve
from ecdsa.ellipticcurve import INFINITY, PointJacobi
from ecdsa.errors import MalformedPointError

from kiosk.hardware.chip.apdu import tlv

RandomBytes = Callable[[int], bytes]

_CRYPTOGRAPHY_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "NIST192p": ec.SECP192R1,
    "NIST224p": ec.SECP224R1,
    "NIST256p": ec.SECP256R1,
    "NIST384p": ec.SECP384R1,
    "NIST521p": ec.SECP521R1,
    "BRAINPOOLP224r1": ec.BrainpoolP224R1,
    "BRAINPOOLP256r1": ec.BrainpoolP256R1,
    "BRAINPOOLP320r1": ec.BrainpoolP320R1,
    "BRAINPOOLP384r1": ec.BrainpoolP384R1,
    "BRAINPOOLP512r1": ec.BrainpoolP512R1,
}


class KeyAgreementError(Exception):
    """The other side's public key is not an element of the group (or the mapping gave the neutral element)."""


class KeyAgreementGroup(Protocol):
    """What PACE and chip authentication need of a group, with keys as the octet strings that travel on the wire."""

    @property
    def order(self) -> int: ...

    def public_key(self, private: int) -> bytes: ...

    def shared_secret(self, private: int, peer: bytes) -> bytes: ...

    def mapped(self, nonce: int, private: int, peer: bytes) -> KeyAgreementGroup: ...

    def public_key_object(self, public: bytes) -> bytes: ...


def random_private_key(group: KeyAgreementGroup, random_bytes: RandomBytes) -> int:
    """A private key in [1, order − 1] from whole bytes the size of the order (so a fixed draw is reproducible)."""
    if group.order < 2:
        raise KeyAgreementError("group order too small")
    size = (group.order.bit_length() + 7) // 8
    while True:
        candidate = int.from_bytes(random_bytes(size), "big")
        if 0 < candidate < group.order:
            return candidate


@dataclass(frozen=True)
class EcGroup:
    """A prime curve and a generator: the curve's own (None) or one PACE mapped."""

    curve: Curve
    generator: PointJacobi | None = None
    _fast: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fast = _CRYPTOGRAPHY_CURVES.get(self.curve.name)
        object.__setattr__(self, "_fast", fast() if fast is not None else None)

    @property
    def order(self) -> int:
        return int(self.curve.order)

    @property
    def field_size(self) -> int:
        return int(self.curve.baselen)

    def point(self, data: bytes) -> PointJacobi:
        """An uncompressed point on this curve, not the point at infinity; KeyAgreementError otherwise."""
        if not data or data[0] != 0x04:
            raise KeyAgreementError("not an uncompressed point")
        try:
            point = PointJacobi.from_bytes(self.curve.curve, data, valid_encodings=("uncompressed",), order=self.order)
        except (MalformedPointError, AssertionError, ValueError) as exc:
            raise KeyAgreementError("point not on the curve") from exc
        if point == INFINITY:
            raise KeyAgreementError("point at infinity")
        if not self.curve.curve.contains_point(point.x(), point.y()):
            raise KeyAgreementError("point not on the curve")  # from_bytes checks the encoding, not the curve
        return point

    def public_key(self, private: int) -> bytes:
        if self.generator is None and self._fast is not None:
            public = ec.derive_private_key(private, self._fast).public_key()
            return public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        generator = self.generator if self.generator is not None else self.curve.generator
        return bytes((generator * private).to_bytes("uncompressed"))

    def shared_secret(self, private: int, peer: bytes) -> bytes:
        """The x coordinate of private·peer, as many bytes as the field (what PACE and CA hash into keys)."""
        point = self.point(peer)
        if self._fast is not None:
            try:
                public = ec.EllipticCurvePublicKey.from_encoded_point(self._fast, peer)
                return ec.derive_private_key(private, self._fast).exchange(ec.ECDH(), public)
            except (ValueError, UnsupportedAlgorithm):
                pass  # the slower arithmetic below gives the same answer
        shared = point * private
        if shared == INFINITY:
            raise KeyAgreementError("shared point at infinity")
        return int(shared.x()).to_bytes(self.field_size, "big")

    def mapped(self, nonce: int, private: int, peer: bytes) -> EcGroup:
        """Generic mapping: G' = nonce·G + private·peer."""
        generator = self.generator if self.generator is not None else self.curve.generator
        mapped = generator * nonce + self.point(peer) * private
        if mapped == INFINITY:
            raise KeyAgreementError("mapped generator at infinity")
        return EcGroup(self.curve, mapped)

    def public_key_object(self, public: bytes) -> bytes:
        return tlv(0x86, public)  # EC point (§4.4.3.3.3 public key data object)


@dataclass(frozen=True)
class DhGroup:
    """A MODP group: prime p, generator g of the subgroup of prime order q."""

    p: int
    g: int
    q: int

    @property
    def order(self) -> int:
        return self.q

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    def element(self, data: bytes) -> int:
        """A public value of the order-q subgroup; KeyAgreementError for anything else (small-subgroup attacks)."""
        value = int.from_bytes(data, "big")
        if not 1 < value < self.p - 1 or pow(value, self.q, self.p) != 1:
            raise KeyAgreementError("not an element of the group")
        return value

    def public_key(self, private: int) -> bytes:
        return pow(self.g, private, self.p).to_bytes(self.size, "big")

    def shared_secret(self, private: int, peer: bytes) -> bytes:
        return pow(self.element(peer), private, self.p).to_bytes(self.size, "big")

    def mapped(self, nonce: int, private: int, peer: bytes) -> DhGroup:
        """Generic mapping: g' = g^nonce · peer^private mod p."""
        mapped = pow(self.g, nonce, self.p) * pow(self.element(peer), private, self.p) % self.p
        if mapped == 1:
            raise KeyAgreementError("mapped generator is 1")
        return DhGroup(self.p, mapped, self.q)

    def public_key_object(self, public: bytes) -> bytes:
        # An unsigned integer: no leading zero bytes (the GA data carry the value at full length).
        return tlv(0x84, public.lstrip(b"\x00") or b"\x00")
