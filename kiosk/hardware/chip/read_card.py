"""Read a CCCD chip into a `CardRead`: the files the kiosk needs, passive authentication, DG13 fields by number."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from cryptography import x509

from kiosk.domain.card_read import CardRead, ChipAccessKey, PassiveAuthResult, ReadStats
from kiosk.domain.dates import parse_slashed_date
from kiosk.domain.errors import DomainParseError
from kiosk.domain.people import Sex, sex_from_vietnamese
from kiosk.domain.text import nfc
from kiosk.hardware.chip.apdu import ApduTransport
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.lds import (
    DG_FILES,
    EF_COM,
    EF_SOD,
    DataGroup,
    parse_dg1,
    parse_dg2_face,
    parse_dg13,
    parse_ef_com,
    unwrap_file,
)
from kiosk.hardware.chip.passive_auth import parse_security_object
from kiosk.hardware.chip.session import WireCounter, open_session, select_application

NO_EXPIRY_WORDS = frozenset({"không thời hạn", "khong thoi han"})


@dataclass(frozen=True)
class ReadOptions:
    """How to read: DG2 only when the hospital wants the photo; extended length when card and reader offer it."""

    read_face: bool = False
    extended_length: bool = False
    trust_anchors: list[x509.Certificate] = field(default_factory=list)
    deadline_s: float = 10.0
    read_chunk: int | None = None  # plain bytes per READ BINARY; None: the most the link's length mode allows


def read_card(transport: ApduTransport, keys: tuple[ChipAccessKey, ...], options: ReadOptions) -> CardRead:
    """The whole read; raises ChipError (NOT_VERIFIABLE when a data group does not match EF.SOD)."""
    started = time.monotonic()
    wire = WireCounter(transport, started + options.deadline_s)
    select_application(wire)
    session, tries = open_session(wire, keys, options.extended_length, options.read_chunk)
    present = parse_ef_com(_required(session.read_file(EF_COM), "EF.COM"))
    dg1 = _required(session.read_file(DG_FILES[DataGroup.DG1]), "DG1")
    dg13 = session.read_file(DG_FILES[DataGroup.DG13]) if DataGroup.DG13 in present else None
    dg2 = None
    if options.read_face and DataGroup.DG2 in present:
        dg2 = session.read_file(DG_FILES[DataGroup.DG2])
    sod = parse_security_object(_required(session.read_file(EF_SOD), "EF.SOD"), options.trust_anchors)
    for number, content in ((1, dg1), (13, dg13), (2, dg2)):
        if content is not None:
            sod.check(number, content)
    stats = ReadStats(wire.apdus, wire.sent, wire.received, (time.monotonic() - started) * 1000, tries)
    return _card_read(dg1, dg13, dg2, PassiveAuthResult(hashes_ok=True, signature=sod.signature), stats)


def _required(content: bytes | None, name: str) -> bytes:
    if content is None:
        raise ChipError(ChipErrorCode.BAD_DATA, f"{name} missing")
    unwrap_file(content, content[0])  # a whole TLV, or BAD_DATA
    return content


def _text(fields: dict[int, list[str]], number: int, index: int = 0) -> str | None:
    values = fields.get(number, [])
    if index >= len(values):
        return None
    value = nfc(values[index]).strip()
    return value or None


def _date(fields: dict[int, list[str]], number: int) -> date | None:
    """A dd/mm/yyyy field; None when absent or unreadable (tolerated: DG1 carries the dates BAC and checks need)."""
    text = _text(fields, number)
    if text is None:
        return None
    try:
        return parse_slashed_date(text)
    except DomainParseError:
        return None


def _expiry(fields: dict[int, list[str]], fallback: date | None) -> date | None:
    text = _text(fields, 12)
    if text is not None and text.casefold() in NO_EXPIRY_WORDS:
        return None
    return _date(fields, 12) or fallback


def _sex(fields: dict[int, list[str]], fallback: Sex | None) -> Sex | None:
    text = _text(fields, 4)
    if text is None:
        return fallback
    try:
        return sex_from_vietnamese(text)
    except DomainParseError:
        return fallback


def _card_read(
    dg1: bytes, dg13: bytes | None, dg2: bytes | None, passive_auth: PassiveAuthResult, stats: ReadStats
) -> CardRead:
    mrz = parse_dg1(dg1)
    fields = parse_dg13(dg13) if dg13 is not None else {}
    return CardRead(
        document_number=mrz.document_number,
        id_number=_text(fields, 1) or mrz.id_number,
        full_name=_text(fields, 2) or f"{mrz.surname} {mrz.given_names}".strip(),
        date_of_birth=_date(fields, 3) or mrz.date_of_birth,
        sex=_sex(fields, mrz.sex),
        nationality=_text(fields, 5),
        ethnicity=_text(fields, 6),
        religion=_text(fields, 7),
        place_of_origin=_text(fields, 8),
        place_of_residence=_text(fields, 9),
        identifying_marks=_text(fields, 10),
        issue_date=_date(fields, 11),
        expiry_date=_expiry(fields, mrz.expiry),
        father_name=_text(fields, 13, 0),
        mother_name=_text(fields, 13, 1),
        spouse_name=_text(fields, 14),
        old_id_number=_text(fields, 15),
        passive_auth=passive_auth,
        stats=stats,
        face_jpeg=parse_dg2_face(dg2) if dg2 is not None else None,
    )
