"""The 12-digit personal identification number (số định danh cá nhân) on the CCCD / căn cước card.

Layout `PPP G YY NNNNNN`: birth province, a digit for sex and century, the last two digits of the birth year, a
serial. There is no check digit, so the best the kiosk can do is cross-check sex and birth year against what the
chip, the QR or the insurance card says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kiosk.domain.dates import PartialDate
from kiosk.domain.errors import DomainParseError
from kiosk.domain.people import Sex

_TWELVE_DIGITS = re.compile(r"[0-9]{12}")

# Province codes of Circular 07/2016/TT-BCA (confidence M: the 2025 province mergers did not renumber IDs).
# Only used to flag a doubtful number, never to refuse one: test cards and future codes must still pass.
_PROVINCES = (
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 040 "
    "042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 083 084 "
    "086 087 089 091 092 093 094 095 096"
)
KNOWN_PROVINCE_CODES = frozenset(_PROVINCES.split())


@dataclass(frozen=True)
class CitizenId:
    number: str
    province_code: str
    sex: Sex
    birth_year: int
    serial: str

    @property
    def province_known(self) -> bool:
        return self.province_code in KNOWN_PROVINCE_CODES


class IdMismatch(StrEnum):
    """What another document says that the ID number contradicts."""

    SEX = "sex"
    BIRTH_YEAR = "birth_year"


def parse_citizen_id(text: str) -> CitizenId:
    """Twelve digits; spaces and dashes a person may type between groups are ignored."""
    number = "".join(text.split()).replace("-", "")
    if not _TWELVE_DIGITS.fullmatch(number):
        raise DomainParseError("wrong_length" if len(number) != 12 else "not_digits")
    gender_century = int(number[3])
    # 0/1 = male/female born 1900s, 2/3 = 2000s, 4/5 = 2100s ... (even male, odd female).
    century = 1900 + (gender_century // 2) * 100
    sex = Sex.MALE if gender_century % 2 == 0 else Sex.FEMALE
    return CitizenId(
        number=number,
        province_code=number[:3],
        sex=sex,
        birth_year=century + int(number[4:6]),
        serial=number[6:],
    )


def id_mismatches(
    citizen_id: CitizenId, date_of_birth: date | PartialDate | None = None, sex: Sex | None = None
) -> frozenset[IdMismatch]:
    """Which of sex / birth year read elsewhere disagree with the ID number (unknown values never disagree)."""
    found: set[IdMismatch] = set()
    if sex is not None and sex != citizen_id.sex:
        found.add(IdMismatch.SEX)
    if date_of_birth is not None and date_of_birth.year != citizen_id.birth_year:
        found.add(IdMismatch.BIRTH_YEAR)
    return frozenset(found)
