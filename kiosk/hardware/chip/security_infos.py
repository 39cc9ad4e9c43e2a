"""SecurityInfos (ICAO 9303-11 §9.2): what EF.CardAccess says about PACE, and what DG14 says about chip and active
authentication. Parsed with `asn1crypto`; protocols the kiosk does not speak (integrated or chip authentication
mapping, terminal authentication, …) are skipped, never refused. Every malformed structure is `ChipError(BAD_DATA)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar

from asn1crypto import core, keys
from ecdsa.curves import Curve, UnknownCurveError
from ecdsa.der import UnexpectedDER
from ecdsa.errors import MalformedPointError

from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.key_agreement import DhGroup, EcGroup, KeyAgreementGroup
from kiosk.hardware.chip.lds import unwrap_file
from kiosk.hardware.chip.sm_cipher import CipherSuite

ID_PACE = "0.4.0.127.0.7.2.2.4"
ID_CA = "0.4.0.127.0.7.2.2.3"
ID_PK = "0.4.0.127.0.7.2.2.1"
ID_AA = "2.23.136.1.1.5"
DG14_TAG = 0x6E


class Agreement(IntEnum):
    """The arc after id-PACE / id-CA / id-PK: which Diffie-Hellman, and for PACE which mapping."""

    DH = 1  # PACE: DH generic mapping
    ECDH = 2  # PACE: ECDH generic mapping


# asn1crypto ships no type hints, hence the ignores on its base classes.
class SecurityInfo(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar = [
        ("protocol", core.ObjectIdentifier),
        ("required_data", core.Any),
        ("optional_data", core.Any, {"optional": True}),
    ]


class SecurityInfos(core.SetOf):  # type: ignore[misc]
    _child_spec = SecurityInfo


class _Algorithm(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar = [("algorithm", core.ObjectIdentifier), ("parameters", core.Any, {"optional": True})]


class SubjectPublicKeyInfo(core.Sequence):  # type: ignore[misc]
    """Generic: the CA key's algorithm is id-PK-DH / id-PK-ECDH, which asn1crypto's own class does not know."""

    _fields: ClassVar = [("algorithm", _Algorithm), ("public_key", core.BitString)]


@dataclass(frozen=True, slots=True)
class PaceInfo:
    """A PACE protocol the card offers with generic mapping: its object identifier, cipher and domain parameters."""

    protocol: str
    agreement: Agreement
    suite: CipherSuite
    parameter_id: int | None


@dataclass(frozen=True, slots=True)
class ChipAuthInfo:
    protocol: str
    agreement: Agreement
    suite: CipherSuite
    key_id: int | None


@dataclass(frozen=True, slots=True)
class ChipAuthKey:
    """The chip's static key agreement key (DG14): its group and public value."""

    group: KeyAgreementGroup
    public: bytes
    key_id: int | None


@dataclass(frozen=True, slots=True)
class SecurityInfoSet:
    pace: tuple[PaceInfo, ...] = ()
    chip_auth: tuple[ChipAuthInfo, ...] = ()
    chip_auth_keys: tuple[ChipAuthKey, ...] = ()
    active_auth_signature: str | None = None  # ActiveAuthenticationInfo's signature algorithm (ECDSA AA)


def _arcs(oid: str, prefix: str) -> tuple[int, ...] | None:
    if not oid.startswith(prefix + "."):
        return None
    try:
        return tuple(int(arc) for arc in oid[len(prefix) + 1 :].split("."))
    except ValueError:
        return None


def _protocol(oid: str, prefix: str) -> tuple[Agreement, CipherSuite] | None:
    arcs = _arcs(oid, prefix)
    if arcs is None or len(arcs) != 2 or arcs[0] not in (1, 2):
        return None
    suite = CipherSuite.from_arc(arcs[1])
    return (Agreement(arcs[0]), suite) if suite is not None else None


def _optional_int(info: SecurityInfo) -> int | None:
    optional = info["optional_data"]
    if isinstance(optional, core.Void) or optional.native is None:
        return None
    return int(optional.parse(core.Integer).native)


def _ec_group(parameters: core.Any) -> EcGroup:
    try:
        return EcGroup(Curve.from_der(parameters.dump(), valid_encodings=("named_curve", "explicit")))
    except (UnknownCurveError, UnexpectedDER, MalformedPointError, ValueError, AssertionError) as exc:
        raise ChipError(ChipErrorCode.BAD_DATA, "chip authentication key: unknown curve") from exc


def _chip_auth_key(info: SecurityInfo, agreement: Agreement) -> ChipAuthKey:
    spki = info["required_data"].parse(SubjectPublicKeyInfo)
    parameters = spki["algorithm"]["parameters"]
    raw = bytes(spki["public_key"].contents[1:])  # after the unused-bits byte
    if agreement is Agreement.ECDH:
        return ChipAuthKey(_ec_group(parameters), raw, _optional_int(info))
    domain = parameters.parse(keys.DomainParameters)
    group = DhGroup(int(domain["p"].native), int(domain["g"].native), int(domain["q"].native))
    if group.q < 2 or not 1 < group.g < group.p:
        raise ChipError(ChipErrorCode.BAD_DATA, "chip authentication key: DH domain parameters")
    public = int(core.Integer.load(raw).native).to_bytes(group.size, "big")
    return ChipAuthKey(group, public, _optional_int(info))


def _classify(info: SecurityInfo) -> PaceInfo | ChipAuthInfo | ChipAuthKey | str | None:
    """One SecurityInfo the kiosk can use (an active authentication signature algorithm is its OID), else None."""
    oid = info["protocol"].dotted
    if (pace := _protocol(oid, ID_PACE)) is not None:
        return PaceInfo(oid, pace[0], pace[1], _optional_int(info))
    if (ca := _protocol(oid, ID_CA)) is not None:
        return ChipAuthInfo(oid, ca[0], ca[1], _optional_int(info))
    if (arcs := _arcs(oid, ID_PK)) is not None and arcs in ((1,), (2,)):
        return _chip_auth_key(info, Agreement(arcs[0]))
    optional = info["optional_data"]
    if oid == ID_AA and not isinstance(optional, core.Void) and optional.native is not None:
        return str(optional.parse(core.ObjectIdentifier).dotted)
    return None


def parse_security_infos(der: bytes) -> SecurityInfoSet:
    """The SecurityInfos the kiosk can use; BAD_DATA when the structure is not SecurityInfos."""
    try:
        items = [_classify(info) for info in SecurityInfos.load(der)]
    except ChipError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        # asn1crypto parses lazily: a malformed structure may fail at any field access (found by fuzzing).
        raise ChipError(ChipErrorCode.BAD_DATA, "SecurityInfos") from exc
    return SecurityInfoSet(
        tuple(item for item in items if isinstance(item, PaceInfo)),
        tuple(item for item in items if isinstance(item, ChipAuthInfo)),
        tuple(item for item in items if isinstance(item, ChipAuthKey)),
        next((item for item in items if isinstance(item, str)), None),
    )


def parse_dg14(content: bytes) -> SecurityInfoSet:
    """DG14 (tag 6E) wraps a SecurityInfos."""
    return parse_security_infos(unwrap_file(content, DG14_TAG))
