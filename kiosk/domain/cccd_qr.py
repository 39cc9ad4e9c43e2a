"""The QR printed on the CCCD / căn cước card: the patient's identity as a lookup key (not proof of presence).

`<id12>|<old CMND or empty>|<full name>|<DOB ddmmyyyy>|<Nam|Nữ>|<permanent address>|<issue date ddmmyyyy>`, UTF-8,
no terminator. Scanners may strip diacritics (`Nu`) and newer cards may append fields, which are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kiosk.domain.citizen_id import IdMismatch, id_mismatches, parse_citizen_id
from kiosk.domain.dates import parse_compact_date, parse_slashed_date
from kiosk.domain.errors import DomainParseError
from kiosk.domain.people import Sex, sex_from_vietnamese
from kiosk.domain.text import nfc

MIN_FIELDS = 7
# The old identity card (CMND) number: 9 digits, or 12 on the 2012–2016 CMND cards.
_OLD_ID = re.compile(r"[0-9]{9}|[0-9]{12}")
# Scanners in keyboard mode sometimes add a BOM, CR/LF or a trailing tab; none of these are part of the payload.
_NOISE = "\ufeff\r\n\t "


@dataclass(frozen=True)
class CccdQr:
    id_number: str
    old_id_number: str | None
    full_name: str
    date_of_birth: date
    sex: Sex
    address: str | None
    issue_date: date

    @property
    def id_mismatches(self) -> frozenset[IdMismatch]:
        """Whether the QR's own sex and DOB agree with its ID number (a misprint or a forged QR if not)."""
        return id_mismatches(parse_citizen_id(self.id_number), self.date_of_birth, self.sex)


def _card_date(text: str) -> date:
    # The card writes ddmmyyyy; a few third-party QR generators write dd/mm/yyyy (seen in public HIS demos).
    stripped = text.strip()
    return parse_slashed_date(stripped) if "/" in stripped else parse_compact_date(stripped)


def _old_id(text: str) -> str | None:
    stripped = text.strip()
    if not stripped:
        return None
    if not _OLD_ID.fullmatch(stripped):
        raise DomainParseError("bad_old_id")
    return stripped


def parse_cccd_qr(text: str) -> CccdQr:
    """At least seven `|`-separated fields; the first must be a 12-digit ID. Raises DomainParseError."""
    fields = nfc(text).strip(_NOISE).split("|")
    if len(fields) < MIN_FIELDS:
        raise DomainParseError("too_few_fields")
    id_text, old_id, name, birth, sex, address, issued = fields[:MIN_FIELDS]
    citizen = parse_citizen_id(id_text.strip())
    if len(id_text.strip()) != 12:
        raise DomainParseError("wrong_length")
    full_name = " ".join(name.split())
    if not full_name:
        raise DomainParseError("missing_name")
    date_of_birth = _card_date(birth)
    issue_date = _card_date(issued)
    if issue_date < date_of_birth:
        raise DomainParseError("issued_before_birth")
    return CccdQr(
        id_number=citizen.number,
        old_id_number=_old_id(old_id),
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex_from_vietnamese(sex),
        address=" ".join(address.split()) or None,
        issue_date=issue_date,
    )


def format_cccd_qr(card: CccdQr) -> str:
    """The QR text a card with these fields carries (test cards, the simulated scanner)."""
    sex = "Nam" if card.sex is Sex.MALE else "Nữ"
    return "|".join(
        (
            card.id_number,
            card.old_id_number or "",
            card.full_name,
            card.date_of_birth.strftime("%d%m%Y"),
            sex,
            card.address or "",
            card.issue_date.strftime("%d%m%Y"),
        )
    )
