"""Passive authentication (ICAO 9303-11 §5.1): EF.SOD's hashes of the data groups, its CMS signature, and the document
signer certificate's chain to a country signing CA (CSCA) the hospital configured as a trust anchor.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from asn1crypto import algos, cms, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from kiosk.domain.card_read import SignatureStatus
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.lds import EF_SOD, unwrap_file

LDS_SECURITY_OBJECT_OID = "2.23.136.1.1.1"
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


# asn1crypto ships no type hints, hence the ignores on its base classes.
class DataGroupHash(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]


class DataGroupHashes(core.SequenceOf):  # type: ignore[misc]
    _child_spec = DataGroupHash


class LdsSecurityObject(core.Sequence):  # type: ignore[misc]
    """ICAO 9303-10 §4.6.2.2 LDSSecurityObject (version 0 or 1; the version info is kept as Any)."""

    _fields: ClassVar = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashes),
        ("lds_version_info", core.Any, {"optional": True}),
    ]


@dataclass(frozen=True, slots=True)
class SecurityObject:
    """What EF.SOD says: the hash algorithm, the hash of each data group, and the signature verdict."""

    hash_algorithm: str
    hashes: dict[int, bytes]
    signature: SignatureStatus

    def check(self, number: int, content: bytes) -> None:
        """Refuse a data group whose hash is missing from EF.SOD or differs from it."""
        expected = self.hashes.get(number)
        actual = hashlib.new(self.hash_algorithm, content).digest()
        if expected is None or not hmac.compare_digest(expected, actual):
            raise ChipError(ChipErrorCode.NOT_VERIFIABLE, f"DG{number} hash")


def load_trust_anchors(paths: list[Path]) -> list[x509.Certificate]:
    """CSCA certificates from PEM or DER files (a PEM file may hold several)."""
    anchors: list[x509.Certificate] = []
    for path in paths:
        raw = path.read_bytes()
        if b"-----BEGIN CERTIFICATE-----" in raw:
            anchors.extend(x509.load_pem_x509_certificates(raw))
        else:
            anchors.append(x509.load_der_x509_certificate(raw))
    return anchors


def parse_security_object(sod: bytes, trust_anchors: list[x509.Certificate]) -> SecurityObject:
    """Parse EF.SOD, verify its signature and signer chain; BAD_DATA when it is not a well-formed SOD."""
    try:
        info = cms.ContentInfo.load(unwrap_file(sod, EF_SOD.tag))
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].dotted != LDS_SECURITY_OBJECT_OID:
            raise ChipError(ChipErrorCode.BAD_DATA, "EF.SOD content type")
        content = bytes(encap["content"].contents)
        lso = LdsSecurityObject.load(content)
        algorithm = lso["hash_algorithm"]["algorithm"].native
        hashes_by_dg = {
            int(h["data_group_number"].native): h["data_group_hash_value"].native for h in lso["data_group_hash_values"]
        }
        signature = _verify_signature(signed, content, trust_anchors)
    except (
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        OverflowError,
        UnsupportedAlgorithm,
        x509.InvalidVersion,
    ) as exc:
        # asn1crypto parses lazily: a malformed SOD may fail at any field access (found by fuzzing).
        raise ChipError(ChipErrorCode.BAD_DATA, "EF.SOD") from exc
    if algorithm not in _HASHES:
        raise ChipError(ChipErrorCode.BAD_DATA, "EF.SOD hash algorithm")
    return SecurityObject(algorithm, hashes_by_dg, signature)


def _document_signer(signed: cms.SignedData, signer: cms.SignerInfo) -> x509.Certificate | None:
    sid = signer["sid"]
    for choice in signed["certificates"] or []:
        certificate = choice.chosen
        if not isinstance(certificate, cms.Certificate):
            continue
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if certificate.issuer != wanted["issuer"] or certificate.serial_number != wanted["serial_number"].native:
                continue
        return x509.load_der_x509_certificate(certificate.dump())
    return None


def _verify_signature(signed: cms.SignedData, content: bytes, anchors: list[x509.Certificate]) -> SignatureStatus:
    signer = signed["signer_infos"][0]
    document_signer = _document_signer(signed, signer)
    if document_signer is None:
        return SignatureStatus.INVALID
    digest_name = signer["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        return SignatureStatus.INVALID
    signed_attrs = signer["signed_attrs"]
    message: bytes = content
    if signed_attrs.native is not None and len(signed_attrs):
        digests = [a["values"][0].native for a in signed_attrs if a["type"].native == "message_digest"]
        if digests != [hashlib.new(digest_name, content).digest()]:
            return SignatureStatus.INVALID
        message = b"\x31" + signed_attrs.dump()[1:]  # signed over the attributes as a SET, not the [0] tag
    if not _signature_matches(document_signer, signer, message, _HASHES[digest_name]()):
        return SignatureStatus.INVALID
    return _chain_status(document_signer, anchors)


def _signature_matches(
    certificate: x509.Certificate, signer: cms.SignerInfo, message: bytes, digest: hashes.HashAlgorithm
) -> bool:
    try:
        key = certificate.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return False
    signature = bytes(signer["signature"].native)
    scheme = signer["signature_algorithm"].signature_algo
    try:
        if isinstance(key, rsa.RSAPublicKey) and scheme == "rsassa_pss":
            params = signer["signature_algorithm"]["parameters"]
            pss = padding.PSS(padding.MGF1(digest), int(params["salt_length"].native))
            key.verify(signature, message, pss, digest)
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), digest)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(digest))
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError):
        return False
    return True


def _chain_status(document_signer: x509.Certificate, anchors: list[x509.Certificate]) -> SignatureStatus:
    # Validity dates are not checked: a card outlives its signer certificate's signing period by design, and the
    # kiosk's clock is not what makes a chip genuine.
    candidates = [a for a in anchors if a.subject == document_signer.issuer]
    if not candidates:
        return SignatureStatus.NO_TRUST_ANCHOR
    for anchor in candidates:
        try:
            document_signer.verify_directly_issued_by(anchor)
        except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
            continue
        return SignatureStatus.VALID
    return SignatureStatus.INVALID
