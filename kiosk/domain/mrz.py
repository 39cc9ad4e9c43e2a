"""The machine-readable zone of the CCCD chip card (ICAO 9303 TD1) and the BAC key-seed string built from it.

Vietnamese cards write line 1 as `IDVNM` + the last 9 digits of the ID + check digit + the full 12-digit ID + `<<`
+ a digit that, on the public sample we checked, is the 7-3-1 check digit of the 12-digit ID. Line 2 is standard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kiosk.domain.citizen_id import parse_citizen_id
from kiosk.domain.dates import make_date
from kiosk.domain.errors import DomainParseError
from kiosk.domain.people import Sex

NO_EXPIRY = "991231"
_WEIGHTS = (7, 3, 1)
_LINE = re.compile(r"[0-9A-Z<]{30}")
_YYMMDD = re.compile(r"[0-9]{6}")


def _char_value(char: str) -> int:
    if char == "<":
        return 0
    if "0" <= char <= "9":
        return ord(char) - ord("0")
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    raise DomainParseError("bad_character")


def check_digit(field: str) -> int:
    """ICAO 9303 check digit: weights 7, 3, 1 repeating; `<` = 0, digits as such, A = 10 … Z = 35."""
    return sum(_char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(field)) % 10


def document_number_from_id(id_number: str) -> str:
    """The chip's document number is the last 9 digits of the 12-digit ID."""
    return parse_citizen_id(id_number).number[3:]


def _yymmdd(day: date) -> str:
    return f"{day.year % 100:02d}{day.month:02d}{day.day:02d}"


def bac_key_seed(document_number: str, date_of_birth: date, expiry: date | None) -> str:
    """The MRZ information `doc + cd + DOB + cd + expiry + cd` whose SHA-1 seeds the BAC keys (ICAO 9303-11 §9.7)."""
    doc = document_number.upper().ljust(9, "<")
    birth = _yymmdd(date_of_birth)
    until = NO_EXPIRY if expiry is None else _yymmdd(expiry)
    return f"{doc}{check_digit(doc)}{birth}{check_digit(birth)}{until}{check_digit(until)}"


@dataclass(frozen=True)
class Td1Mrz:
    document_number: str
    id_number: str
    date_of_birth: date
    sex: Sex | None
    expiry: date | None
    surname: str
    given_names: str
    nationality: str


def _verify(field: str, digit: str) -> None:
    if not digit.isdigit() or check_digit(field) != int(digit):
        raise DomainParseError("bad_check_digit")


def _lines(text: str) -> tuple[str, str, str]:
    compact = "".join(text.split()).upper()
    if len(compact) != 90:
        raise DomainParseError("wrong_length")
    lines = (compact[:30], compact[30:60], compact[60:])
    if not all(_LINE.fullmatch(line) for line in lines):
        raise DomainParseError("bad_character")
    return lines


def _date_of_birth(yymmdd: str, century_start: int) -> date:
    return make_date(century_start + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))


def _expiry(yymmdd: str) -> date | None:
    # Cards for people over 60 never expire and carry 991231; all others were issued after 2000.
    if yymmdd == NO_EXPIRY:
        return None
    return make_date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))


def _names(line3: str) -> tuple[str, str]:
    surname, _, given = line3.partition("<<")
    return surname.replace("<", " ").strip(), " ".join(given.replace("<", " ").split())


def parse_td1(text: str) -> Td1Mrz:
    """Three lines of 30 characters (line breaks and spaces optional); every ICAO check digit is verified."""
    line1, line2, line3 = _lines(text)
    if line1[0] != "I":
        raise DomainParseError("not_an_id_card")
    document, optional = line1[5:14], line1[15:30]
    _verify(document, line1[14])
    _verify(line2[:6], line2[6])
    _verify(line2[8:14], line2[14])
    _verify(line1[5:30] + line2[:7] + line2[8:15] + line2[18:29], line2[29])
    if not _YYMMDD.fullmatch(line2[:6]) or not _YYMMDD.fullmatch(line2[8:14]):
        raise DomainParseError("bad_date")
    citizen = parse_citizen_id(optional[:12])
    if citizen.number[3:] != document.rstrip("<"):
        raise DomainParseError("id_mismatch")
    # The ID's sex-and-century digit says which century the two-digit birth year belongs to.
    date_of_birth = _date_of_birth(line2[:6], citizen.birth_year - citizen.birth_year % 100)
    sex = {"M": Sex.MALE, "F": Sex.FEMALE}.get(line2[7])
    surname, given_names = _names(line3)
    return Td1Mrz(
        document_number=document.rstrip("<"),
        id_number=citizen.number,
        date_of_birth=date_of_birth,
        sex=sex,
        expiry=_expiry(line2[8:14]),
        surname=surname,
        given_names=given_names,
        nationality=line2[15:18].replace("<", ""),
    )


def format_td1(mrz: Td1Mrz, issuing_state: str = "VNM") -> str:
    """The three MRZ lines (joined by newlines) for a card, as a Vietnamese card writes them; used for test cards."""
    doc = mrz.document_number.ljust(9, "<")
    optional = f"{mrz.id_number}<<{check_digit(mrz.id_number)}"
    line1 = f"ID{issuing_state}{doc}{check_digit(doc)}{optional}".ljust(30, "<")[:30]
    birth = _yymmdd(mrz.date_of_birth)
    until = NO_EXPIRY if mrz.expiry is None else _yymmdd(mrz.expiry)
    sex = "M" if mrz.sex is Sex.MALE else "F" if mrz.sex is Sex.FEMALE else "<"
    head = f"{birth}{check_digit(birth)}{sex}{until}{check_digit(until)}{mrz.nationality.ljust(3, '<')}"
    head = head.ljust(29, "<")
    composite = check_digit(line1[5:30] + head[:7] + head[8:15] + head[18:29])
    line2 = f"{head}{composite}"
    name = f"{mrz.surname.replace(' ', '<')}<<{mrz.given_names.replace(' ', '<')}"
    line3 = name.ljust(30, "<")[:30]
    return "\n".join((line1, line2, line3))
