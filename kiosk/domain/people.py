"""Facts about a person that several documents carry (sex), and how each document writes them."""

from __future__ import annotations

from enum import StrEnum

from kiosk.domain.errors import DomainParseError
from kiosk.domain.text import nfc, strip_diacritics


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


def sex_from_vietnamese(word: str) -> Sex:
    """`Nam` / `Nữ` as printed on the CCCD QR and in DG13; some scanners strip the diacritics (`Nu`)."""
    folded = strip_diacritics(nfc(word)).strip().casefold()
    if folded == "nam":
        return Sex.MALE
    if folded == "nu":
        return Sex.FEMALE
    raise DomainParseError("bad_sex")


def sex_from_bhyt_digit(digit: str) -> Sex:
    """The BHYT QR writes sex as a digit: 1 Nam, 2 Nữ."""
    stripped = digit.strip()
    if stripped == "1":
        return Sex.MALE
    if stripped == "2":
        return Sex.FEMALE
    raise DomainParseError("bad_sex")
