"""What makes a test chip PACE-capable and clone-resistant: EF.CardAccess (PACEInfo), DG14 (the chip authentication
key, and for ECDSA active authentication its ActiveAuthenticationInfo), DG15 (the active authentication key), and
the private keys only the genuine chip holds. Structures built with asn1crypto, keys with the card's own arithmetic
(chip authentication) or `cryptography` (active authentication key pairs).
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import core, keys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.support.emulated_card_crypto import CURVES_BY_PARAMETER_ID, MODP_1024_160, random_scalar

ID_PACE, ID_CA, ID_PK = "0.4.0.127.0.7.2.2.4", "0.4.0.127.0.7.2.2.3", "0.4.0.127.0.7.2.2.1"
ID_AA = "2.23.136.1.1.5"
ECDSA_PLAIN_SHA256 = "0.4.0.127.0.7.1.1.4.1.3"
_NAMED_CURVES = {12: "1.2.840.10045.3.1.7", 13: "1.3.36.3.3.2.8.1.1.7", 16: "1.3.36.3.3.2.8.1.1.11"}
_AA_CURVES = {12: ec.SECP256R1, 13: ec.BrainpoolP256R1, 16: ec.BrainpoolP384R1}
CARD_ACCESS_FID = 0x011C
AnyPrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class PaceOffer:
    """One PACEInfo: standardized domain parameters (0: the 1024-bit MODP group, 12: P-256, 13: brainpoolP256r1,
    16: brainpoolP384r1) and the cipher arc (1: 3DES, 2/3/4: AES-128/192/256)."""

    parameter_id: int = 13
    cipher_arc: int = 2

    @property
    def protocol(self) -> str:
        return f"{ID_PACE}.{1 if self.parameter_id == 0 else 2}.{self.cipher_arc}"


@dataclass(frozen=True)
class ChipAuthOffer:
    """The chip's static key agreement key: its curve by PACE parameter id (0: DH), the cipher arc of its
    ChipAuthenticationInfo (None: no such info, so 3DES and MSE:Set KAT are implied)."""

    parameter_id: int = 13
    cipher_arc: int | None = 2
    explicit_parameters: bool = False  # the curve written out, as many issuers do, instead of named by OID
    key_id: int | None = None

    @property
    def protocol(self) -> str:
        return f"{ID_CA}.{1 if self.parameter_id == 0 else 2}.{self.cipher_arc or 1}"


@dataclass(frozen=True)
class ActiveAuthOffer:
    algorithm: str = "rsa"  # or "ecdsa"
    rsa_bits: int = 1024
    curve: int = 12  # ECDSA: by PACE parameter id


@dataclass(frozen=True)
class ChipSecurity:
    """Which protocols a test chip offers (nothing: a BAC-only card, as every CCCD before 2024 is assumed to be)."""

    pace: tuple[PaceOffer, ...] = ()
    chip_auth: ChipAuthOffer | None = None
    active_auth: ActiveAuthOffer | None = None


@dataclass(frozen=True)
class ChipSecrets:
    """The chip's private keys; a clone has the files (and so the public keys), not these."""

    security: ChipSecurity
    chip_auth_private: int | None = None
    active_auth_key: AnyPrivateKey | None = None


def _seq(*parts: bytes) -> bytes:
    return core.Sequence(contents=b"".join(parts)).dump()


def _info(oid: str, required: bytes, optional: bytes = b"") -> bytes:
    return _seq(core.ObjectIdentifier(oid).dump(), required, optional)


def _bit_string(value: bytes) -> bytes:
    return core.BitString(contents=b"\x00" + value).dump()


def card_access(offers: tuple[PaceOffer, ...]) -> bytes:
    infos = [_info(o.protocol, core.Integer(2).dump(), core.Integer(o.parameter_id).dump()) for o in offers]
    return core.SetOf(contents=b"".join(infos)).dump()


def _explicit_curve(parameter_id: int) -> bytes:
    curve = CURVES_BY_PARAMETER_ID[parameter_id]
    size = curve.size
    return keys.SpecifiedECDomain(
        {
            "version": "ecdpVer1",
            "field_id": {"field_type": "prime_field", "parameters": curve.p},
            "curve": {"a": (curve.a % curve.p).to_bytes(size, "big"), "b": curve.b.to_bytes(size, "big")},
            "base": curve.encode((curve.gx, curve.gy)),
            "order": curve.n,
            "cofactor": 1,
        }
    ).dump()


def _chip_auth_key_info(offer: ChipAuthOffer, private: int) -> bytes:
    key_id = core.Integer(offer.key_id).dump() if offer.key_id is not None else b""
    if offer.parameter_id == 0:
        group = MODP_1024_160
        parameters = keys.DomainParameters({"p": group.p, "g": group.g, "q": group.q}).dump()
        public = core.Integer(pow(group.g, private, group.p)).dump()
        algorithm = _seq(core.ObjectIdentifier(f"{ID_PK}.1").dump(), parameters)
    else:
        curve = CURVES_BY_PARAMETER_ID[offer.parameter_id]
        named = core.ObjectIdentifier(_NAMED_CURVES[offer.parameter_id]).dump()
        parameters = _explicit_curve(offer.parameter_id) if offer.explicit_parameters else named
        public = curve.encode(curve.multiply(private, (curve.gx, curve.gy)))
        algorithm = _seq(core.ObjectIdentifier(f"{ID_PK}.2").dump(), parameters)
    return _info(f"{ID_PK}.{1 if offer.parameter_id == 0 else 2}", _seq(algorithm, _bit_string(public)), key_id)


def dg14_and_dg15(security: ChipSecurity) -> tuple[dict[int, bytes], ChipSecrets]:
    """DG14 / DG15 contents (by data group number) for what the chip offers, and the chip's private keys."""
    infos: list[bytes] = []
    groups: dict[int, bytes] = {}
    ca_private: int | None = None
    aa_key: AnyPrivateKey | None = None
    if (offer := security.chip_auth) is not None:
        order = MODP_1024_160.q if offer.parameter_id == 0 else CURVES_BY_PARAMETER_ID[offer.parameter_id].n
        ca_private = random_scalar(order)
        infos.append(_chip_auth_key_info(offer, ca_private))
        if offer.cipher_arc is not None:
            key_id = core.Integer(offer.key_id).dump() if offer.key_id is not None else b""
            infos.append(_info(offer.protocol, core.Integer(1).dump(), key_id))
    if (active := security.active_auth) is not None:
        if active.algorithm == "rsa":
            aa_key = rsa.generate_private_key(65537, active.rsa_bits)
        else:
            aa_key = ec.generate_private_key(_AA_CURVES[active.curve]())
            infos.append(_info(ID_AA, core.Integer(1).dump(), core.ObjectIdentifier(ECDSA_PLAIN_SHA256).dump()))
        spki = aa_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        groups[15] = core.Asn1Value(class_="application", tag=15, method="constructed", contents=spki).dump()
    if infos:
        groups[14] = core.Asn1Value(
            class_="application", tag=14, method="constructed", contents=core.SetOf(contents=b"".join(infos)).dump()
        ).dump()
    return groups, ChipSecrets(security, ca_private, aa_key)
