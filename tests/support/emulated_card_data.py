"""The files of a test CCCD chip, generated at test time: a test CSCA and document signer (cryptography), DG1 (MRZ),
DG13 (Vietnamese personal data with nested parents), DG2 (a small JPEG made with Pillow), EF.COM and EF.SOD
(CMS SignedData built with asn1crypto). Nothing here is real personal data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import struct
from dataclasses import dataclass, field, replace

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image

from kiosk.domain.mrz import Td1Mrz, format_td1
from kiosk.domain.people import Sex
from kiosk.hardware.chip.passive_auth import DataGroupHash, DataGroupHashes, LdsSecurityObject
from tests.support.emulated_card_keys import CARD_ACCESS_FID, ChipSecrets, ChipSecurity, card_access, dg14_and_dg15

DG13_OID = "1.0.10646.1.0.8"


@dataclass(frozen=True)
class CitizenCard:
    """What a test card says about its holder. Defaults: an invented person."""

    id_number: str = "001089012345"
    full_name: str = "Nguyễn Thị Minh Anh"
    date_of_birth: dt.date = dt.date(1989, 3, 14)
    sex: Sex = Sex.FEMALE
    issue_date: dt.date = dt.date(2021, 4, 20)
    expiry: dt.date | None = dt.date(2029, 3, 14)
    ethnicity: str = "Kinh"
    religion: str = "Không"
    place_of_origin: str = "Xã Đông Hội, Huyện Đông Anh, Hà Nội"
    place_of_residence: str = "Số 12 Phố Huế, Phường Ngô Thì Nhậm, Quận Hai Bà Trưng, Hà Nội"
    identifying_marks: str = "Nốt ruồi C:1cm trên trước mày phải"
    father_name: str | None = "Nguyễn Văn Hùng"
    mother_name: str | None = "Trần Thị Lan"
    spouse_name: str | None = None
    old_id_number: str | None = "012345678"

    @property
    def document_number(self) -> str:
        return self.id_number[3:]

    def mrz(self) -> str:
        surname, _, given = _ascii_name(self.full_name).partition(" ")
        td1 = Td1Mrz(
            self.document_number, self.id_number, self.date_of_birth, self.sex, self.expiry, surname, given, "VNM"
        )
        return format_td1(td1)


def _ascii_name(name: str) -> str:
    from kiosk.domain.text import strip_diacritics

    return strip_diacritics(name).upper()


@dataclass(frozen=True)
class TestPki:
    """A test country signing CA and a document signer it issued (EC P-256: quick to generate)."""

    __test__ = False  # a name starting with "Test" is not a pytest test class

    csca: x509.Certificate
    document_signer: x509.Certificate
    signer_key: ec.EllipticCurvePrivateKey

    def csca_pem(self) -> bytes:
        return self.csca.public_bytes(serialization.Encoding.PEM)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


def make_pki(csca_name: str = "Test CSCA Vietnam") -> TestPki:
    now = dt.datetime.now(dt.UTC)
    csca_key = ec.generate_private_key(ec.SECP256R1())
    csca = (
        x509.CertificateBuilder()
        .subject_name(_name(csca_name))
        .issuer_name(_name(csca_name))
        .public_key(csca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(csca_key, hashes.SHA256())
    )
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer = (
        x509.CertificateBuilder()
        .subject_name(_name("Test Document Signer"))
        .issuer_name(csca.subject)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(csca_key, hashes.SHA256())
    )
    return TestPki(csca, signer, signer_key)


def _der(tag: bytes, value: bytes) -> bytes:
    length = len(value)
    head = bytes((length,)) if length < 0x80 else bytes((0x82,)) + length.to_bytes(2, "big")
    return tag + head + value


def _seq(*parts: bytes) -> bytes:
    return core.Sequence(contents=b"".join(parts)).dump()


def _field(number: int, value: bytes) -> bytes:
    return _seq(core.Integer(number).dump(), value)


def dg13(card: CitizenCard) -> bytes:
    def text(value: str) -> bytes:
        return core.UTF8String(value).dump()

    entries = [
        _field(1, core.PrintableString(card.id_number).dump()),
        _field(2, text(card.full_name)),
        _field(3, core.PrintableString(card.date_of_birth.strftime("%d/%m/%Y")).dump()),
        _field(4, text("Nữ" if card.sex is Sex.FEMALE else "Nam")),
        _field(5, text("Việt Nam")),
        _field(6, text(card.ethnicity)),
        _field(7, text(card.religion)),
        _field(8, text(card.place_of_origin)),
        _field(9, text(card.place_of_residence)),
        _field(10, text(card.identifying_marks)),
        _field(11, core.PrintableString(card.issue_date.strftime("%d/%m/%Y")).dump()),
        _field(12, text(card.expiry.strftime("%d/%m/%Y") if card.expiry else "Không thời hạn")),
    ]
    parents = [_seq(text(name)) for name in (card.father_name, card.mother_name) if name is not None]
    if parents:
        entries.append(_field(13, b"".join(parents)))
    if card.spouse_name is not None:
        entries.append(_field(14, _seq(text(card.spouse_name))))
    if card.old_id_number is not None:
        entries.append(_field(15, core.PrintableString(card.old_id_number).dump()))
    entries.append(_field(16, core.PrintableString("0123456789ABCDEF").dump()))
    body = _seq(
        core.Integer(1).dump(), core.ObjectIdentifier(DG13_OID).dump(), core.Set(contents=b"".join(entries)).dump()
    )
    return _der(b"\x6d", body)


def dg1(card: CitizenCard) -> bytes:
    return _der(b"\x61", _der(b"\x5f\x1f", card.mrz().replace("\n", "").encode("ascii")))


def face_jpeg(size: tuple[int, int] = (60, 80), noisy: bool = False) -> bytes:
    """A small plain JPEG; `noisy` makes one that barely compresses (200 x 200 gives ~48 KB, past 32 KiB)."""
    out = io.BytesIO()
    image = (
        Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
        if noisy
        else Image.new("RGB", size, (200, 170, 150))
    )
    image.save(out, "JPEG", quality=95 if noisy else 70)
    return out.getvalue()


def dg2(jpeg: bytes) -> bytes:
    facial = struct.pack(">IH", 20 + 12 + len(jpeg), 0) + bytes(14) + bytes(12) + jpeg
    record = b"FAC\x00010\x00" + struct.pack(">IH", 14 + len(facial), 1) + facial
    template = _der(b"\x7f\x60", _der(b"\xa1", _der(b"\x80", b"\x01\x01")) + _der(b"\x5f\x2e", record))
    return _der(b"\x75", _der(b"\x7f\x61", _der(b"\x02", b"\x01") + template))


def ef_com(tags: bytes) -> bytes:
    return _der(b"\x60", _der(b"\x5f\x01", b"0107") + _der(b"\x5f\x36", b"040000") + _der(b"\x5c", tags))


def ef_sod(groups: dict[int, bytes], pki: TestPki) -> bytes:
    lso = LdsSecurityObject(
        {
            "version": 0,
            "hash_algorithm": {"algorithm": "sha256"},
            "data_group_hash_values": DataGroupHashes(
                [
                    DataGroupHash({"data_group_number": n, "data_group_hash_value": hashlib.sha256(c).digest()})
                    for n, c in sorted(groups.items())
                ]
            ),
        }
    ).dump()
    attrs = cms.CMSAttributes(
        [
            {"type": "content_type", "values": [cms.ContentType("2.23.136.1.1.1")]},
            {"type": "message_digest", "values": [hashlib.sha256(lso).digest()]},
        ]
    )
    signature = pki.signer_key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
    ds = asn1_x509.Certificate.load(pki.document_signer.public_bytes(serialization.Encoding.DER))
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {"issuer_and_serial_number": {"issuer": ds.issuer, "serial_number": ds.serial_number}}
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": signature,
        }
    )
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "2.23.136.1.1.1", "content": core.ParsableOctetString(lso)},
            "certificates": [ds],
            "signer_infos": [signer_info],
        }
    )
    return _der(b"\x77", cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump())


@dataclass(frozen=True)
class CardFiles:
    """Every file of the test chip by file identifier, and the PKI that signed them."""

    card: CitizenCard
    pki: TestPki
    files: dict[int, bytes] = field(default_factory=dict)
    secrets: ChipSecrets | None = None  # the private keys of a chip that offers PACE, chip or active authentication

    def with_file(self, fid: int, content: bytes) -> CardFiles:
        return replace(self, files={**self.files, fid: content})

    def without_file(self, fid: int) -> CardFiles:
        return replace(self, files={k: v for k, v in self.files.items() if k != fid})


def build_card(
    card: CitizenCard | None = None,
    pki: TestPki | None = None,
    with_face: bool = True,
    face: bytes | None = None,
    security: ChipSecurity | None = None,
) -> CardFiles:
    """A test chip; without `security`, a BAC-only card with neither chip nor active authentication."""
    card = card or CitizenCard()
    pki = pki or make_pki()
    groups = {1: dg1(card), 13: dg13(card)}
    if with_face:
        groups[2] = dg2(face or face_jpeg())
    secrets = None
    if security is not None:
        extra, secrets = dg14_and_dg15(security)
        groups.update(extra)
    tags = bytes(t for n, t in ((1, 0x61), (2, 0x75), (13, 0x6D), (14, 0x6E), (15, 0x6F)) if n in groups)
    files = {0x011E: ef_com(tags), 0x011D: ef_sod(groups, pki)}
    files.update({0x0100 + n: content for n, content in groups.items()})
    if security is not None and security.pace:
        files[CARD_ACCESS_FID] = card_access(security.pace)
    return CardFiles(card, pki, files, secrets)
