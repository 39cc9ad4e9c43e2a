"""The BHYT (health-insurance) card code: old 15-character `XX L PP NNNNNNNNNN` or the new 10-digit number.

Old codes carry the beneficiary group, the benefit level and the issuing province; new cards print only the
10-digit social-insurance number (mã số BHXH). Test cards exist that break the pattern, so apart from the length
and the two group letters everything is read loosely and left for the gateway to judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.domain.errors import DomainParseError

_TEN_DIGITS = re.compile(r"[0-9]{10}")
_OLD_CODE = re.compile(r"[A-Z]{2}[0-9A-Z]{13}")

# Share of covered costs the fund pays by benefit level (Decree 146/2018, art. 14).
_PERCENT_BY_LEVEL = {1: 100, 2: 100, 3: 95, 4: 80, 5: 100}


@dataclass(frozen=True)
class BhytCardCode:
    code: str
    beneficiary_group: str | None
    benefit_level: int | None
    province_code: str | None
    social_insurance_number: str

    @property
    def benefit_percent(self) -> int | None:
        return None if self.benefit_level is None else benefit_percent(self.benefit_level)


def benefit_percent(level: int) -> int:
    """1: 100% no cap, 2: 100% with caps, 3: 95%, 4: 80%, 5: 100% incl. out-of-scope costs."""
    try:
        return _PERCENT_BY_LEVEL[level]
    except KeyError:
        raise DomainParseError("bad_benefit_level") from None


def parse_bhyt_code(text: str) -> BhytCardCode:
    """A card code as printed, scanned or typed (spaces between groups allowed, any letter case)."""
    code = "".join(text.split()).upper()
    if _TEN_DIGITS.fullmatch(code):
        return BhytCardCode(code, None, None, None, code)
    if len(code) != 15:
        raise DomainParseError("wrong_length")
    if not code.isascii() or not _OLD_CODE.fullmatch(code):
        raise DomainParseError("bad_character")
    # Loose on purpose: a benefit digit outside 1–5 or letters in the province of a test card are kept as unknown.
    level = int(code[2]) if code[2] in "12345" else None
    province = code[3:5] if code[3:5].isdigit() else None
    return BhytCardCode(code, code[:2], level, province, code[5:])
