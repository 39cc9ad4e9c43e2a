"""The QR on the BHYT health-insurance card: `|`-separated fields ending in `$`, names as hex of UTF-8.

Field counts differ between card generations (10, 14 and 16 in the public samples we found; 15 and 17 reported),
so every field is optional past the ones that identify the card, and `-` means empty. Layout (how sure the
public sources are, in brackets: M medium, L low; the rest is certain):
0 card code, 1 name (hex), 2 DOB (dd/mm/yyyy, mm/yyyy or yyyy), 3 sex (1 Nam, 2 Nữ), 4 address (hex, `-` on new
cards), 5 registered facility (`01 - 043`), 6 valid from, 7 valid to (`-` open), 8 issue date, 9 office + BHXH
number (M), 10 guardian name (hex, M), 11 unclear (L), 12 five-year date (M, may start with a space), 13 checksum
of unknown algorithm, 15 or 16 hex digits seen (not checked), 14–15 new cards only (L; 15 held the issuing
district as hex on the samples seen).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from kiosk.domain.bhyt_code import BhytCardCode, parse_bhyt_code
from kiosk.domain.dates import PartialDate, parse_partial_date, parse_slashed_date
from kiosk.domain.errors import DomainParseError
from kiosk.domain.people import Sex, sex_from_bhyt_digit
from kiosk.domain.text import nfc

TERMINATOR = "$"
MIN_FIELDS = 4
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
_FACILITY = re.compile(r"[0-9A-Z]{2,10}")
_EMPTY = {"", "-"}
_NOISE = "\ufeff\r\n\t "


@dataclass(frozen=True)
class BhytQr:
    card_code: str
    full_name: str
    date_of_birth: PartialDate
    sex: Sex | None
    address: str | None
    registered_facility: str | None
    valid_from: date | None
    valid_to: date | None
    issue_date: date | None
    five_year_date: date | None
    guardian_name: str | None

    @property
    def card(self) -> BhytCardCode:
        return parse_bhyt_code(self.card_code)


class _Fields:
    """The split payload; reading past the end or a `-` gives None rather than an IndexError."""

    def __init__(self, fields: list[str]) -> None:
        self._fields = fields

    def get(self, index: int) -> str | None:
        if index >= len(self._fields):
            return None
        value = self._fields[index].strip()
        return None if value in _EMPTY else value


def decode_hex_text(value: str) -> str:
    """Hex of UTF-8 bytes → NFC text. Plain text is kept as it is (confidence M: some printers skip the hex)."""
    text = value
    if _HEX.fullmatch(value):
        try:
            text = bytes.fromhex(value).decode("utf-8")
        except UnicodeDecodeError:
            raise DomainParseError("bad_hex_text") from None
    # Control characters never belong in a name or address; they mean the hex was not text at all.
    if any(unicodedata.category(char) == "Cc" and not char.isspace() for char in text):
        raise DomainParseError("bad_hex_text")
    return " ".join(nfc(text).split())


def encode_hex_text(text: str) -> str:
    return nfc(text).encode("utf-8").hex()


def normalise_facility(value: str) -> str:
    """`01 - 043` → `01043` (province + facility); codes may hold letters (`01 - C54` → `01C54`)."""
    code = "".join(value.replace("-", " ").split()).upper()
    if not _FACILITY.fullmatch(code):
        raise DomainParseError("bad_facility")
    return code


def _optional_date(value: str | None) -> date | None:
    return None if value is None else parse_slashed_date(value)


def _lenient_date(value: str | None) -> date | None:
    # For fields whose position is only medium-confidence: a surprise there must not cost the patient the card.
    try:
        return _optional_date(value)
    except DomainParseError:
        return None


def _lenient_text(value: str | None) -> str | None:
    try:
        return None if value is None else decode_hex_text(value) or None
    except DomainParseError:
        return None


def _split(text: str) -> _Fields:
    body = nfc(text).strip(_NOISE)
    if not body.endswith(TERMINATOR):
        raise DomainParseError("no_terminator")
    fields = body[: -len(TERMINATOR)].split("|")
    # Some cards put the `$` in a field of its own (`...|$`): drop the empty last field that leaves.
    if len(fields) > 1 and not fields[-1].strip():
        fields.pop()
    if len(fields) < MIN_FIELDS:
        raise DomainParseError("too_few_fields")
    return _Fields(fields)


def parse_bhyt_qr(text: str) -> BhytQr:
    """A BHYT card QR (must end with `$`). Raises DomainParseError."""
    fields = _split(text)
    code = fields.get(0)
    name = fields.get(1)
    birth = fields.get(2)
    if code is None or name is None or birth is None:
        raise DomainParseError("missing_field")
    card = parse_bhyt_code(code)
    full_name = decode_hex_text(name)
    if not full_name:
        raise DomainParseError("missing_name")
    sex = fields.get(3)
    address = fields.get(4)
    facility = fields.get(5)
    return BhytQr(
        card_code=card.code,
        full_name=full_name,
        date_of_birth=parse_partial_date(birth),
        sex=None if sex is None else sex_from_bhyt_digit(sex),
        # New cards print `-` here. Field 15 of the new-card samples seen (Hà Nội, TP HCM) holds a district as hex,
        # which reads as the issuing office's place, not the patient's address (L), so it is not used.
        address=None if address is None else decode_hex_text(address) or None,
        registered_facility=None if facility is None else normalise_facility(facility),
        valid_from=_optional_date(fields.get(6)),
        valid_to=_optional_date(fields.get(7)),
        issue_date=_optional_date(fields.get(8)),
        five_year_date=_lenient_date(fields.get(12)),
        guardian_name=_lenient_text(fields.get(10)),
    )


def _date_or_dash(day: date | None) -> str:
    return "-" if day is None else day.strftime("%d/%m/%Y")


def _partial(day: PartialDate) -> str:
    if day.month is None:
        return f"{day.year:04d}"
    if day.day is None:
        return f"{day.month:02d}/{day.year:04d}"
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def format_bhyt_qr(card: BhytQr) -> str:
    """A 15-field QR text for a card (test cards, the simulated scanner); fields 9, 11, 13 are filler."""
    sex = {Sex.MALE: "1", Sex.FEMALE: "2"}
    fields = [
        card.card_code,
        encode_hex_text(card.full_name),
        _partial(card.date_of_birth),
        "-" if card.sex is None else sex[card.sex],
        "-" if card.address is None else encode_hex_text(card.address),
        "-" if card.registered_facility is None else f"{card.registered_facility[:2]} - {card.registered_facility[2:]}",
        _date_or_dash(card.valid_from),
        _date_or_dash(card.valid_to),
        _date_or_dash(card.issue_date),
        "-",
        "-" if card.guardian_name is None else encode_hex_text(card.guardian_name),
        "4",
        " " + _date_or_dash(card.five_year_date),
        "0000000000000000-0000",
    ]
    return "|".join(fields) + TERMINATOR
