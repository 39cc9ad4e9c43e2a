"""From the data groups to a `CardRead`: DG13's fields by number, DG1 (the MRZ) where DG13 is silent, DG2's face."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk.domain.card_read import CardRead, ChipAuthResult, PassiveAuthResult, ReadStats
from kiosk.domain.dates import parse_slashed_date
from kiosk.domain.errors import DomainParseError
from kiosk.domain.people import Sex, sex_from_vietnamese
from kiosk.domain.text import nfc
from kiosk.hardware.chip.lds import parse_dg1, parse_dg2_face, parse_dg13

NO_EXPIRY_WORDS = frozenset({"không thời hạn", "khong thoi han"})


@dataclass(frozen=True, slots=True)
class DataGroups:
    """The raw data groups a read fetched (DG13 and DG2 may be absent), each already checked against EF.SOD."""

    dg1: bytes
    dg13: bytes | None = None
    dg2: bytes | None = None


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


def card_read_from(
    groups: DataGroups, passive_auth: PassiveAuthResult, stats: ReadStats, chip_auth: ChipAuthResult
) -> CardRead:
    """The `CardRead` for data groups already checked against EF.SOD."""
    dg1, dg13, dg2 = groups.dg1, groups.dg13, groups.dg2
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
        chip_auth=chip_auth,
    )
