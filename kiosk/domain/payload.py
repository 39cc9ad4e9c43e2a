"""Telling apart what a patient scans or types: CCCD QR, BHYT QR, or a bare number.

`$` at the end means a BHYT QR; `|` with a 12-digit first field a CCCD QR; typed digits are told apart by length
(12 CCCD, 10 BHXH number, 9 old CMND) and a 15-character code with two leading letters is an old BHYT code.
Anything else is `unknown` with a reason, never an exception: the hospital's own QR formats are the HIS's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from kiosk.domain.bhyt_code import BhytCardCode, parse_bhyt_code
from kiosk.domain.bhyt_qr import BhytQr, parse_bhyt_qr
from kiosk.domain.cccd_qr import CccdQr, parse_cccd_qr
from kiosk.domain.citizen_id import CitizenId, parse_citizen_id
from kiosk.domain.errors import DomainParseError
from kiosk.domain.text import nfc

# A QR code holds at most ~3 KB of bytes; anything longer was not scanned from a card.
MAX_PAYLOAD_CHARS = 4096
_DIGITS = re.compile(r"[0-9]+")
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_NOISE = "\ufeff\r\n\t "

Parsed = CccdQr | BhytQr | CitizenId | BhytCardCode | str | None


class PayloadKind(StrEnum):
    CCCD_QR = "cccd_qr"
    BHYT_QR = "bhyt_qr"
    CCCD_NUMBER = "cccd_number"
    BHXH_NUMBER = "bhxh_number"
    BHYT_CODE = "bhyt_code"
    CMND_NUMBER = "cmnd_number"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ClassifiedPayload:
    kind: PayloadKind
    parsed: Parsed
    reason: str | None = None


def _unknown(reason: str) -> ClassifiedPayload:
    return ClassifiedPayload(PayloadKind.UNKNOWN, None, reason)


def _typed_number(compact: str) -> ClassifiedPayload:
    if _DIGITS.fullmatch(compact):
        if len(compact) == 12:
            return ClassifiedPayload(PayloadKind.CCCD_NUMBER, parse_citizen_id(compact))
        if len(compact) == 10:
            # Also the shape of many hospitals' patient codes: the HIS tells them apart, not the kiosk.
            return ClassifiedPayload(PayloadKind.BHXH_NUMBER, parse_bhyt_code(compact))
        if len(compact) == 9:
            return ClassifiedPayload(PayloadKind.CMND_NUMBER, compact)
        return _unknown("unrecognised_number")
    if len(compact) == 15:
        return ClassifiedPayload(PayloadKind.BHYT_CODE, parse_bhyt_code(compact))
    return _unknown("not_recognised")


def _classify(text: str) -> ClassifiedPayload:
    if text.endswith("$"):
        return ClassifiedPayload(PayloadKind.BHYT_QR, parse_bhyt_qr(text))
    if "|" in text:
        first = text.split("|", 1)[0].strip()
        if _TWELVE_DIGITS.fullmatch(first):
            return ClassifiedPayload(PayloadKind.CCCD_QR, parse_cccd_qr(text))
        return _unknown("not_recognised")
    compact = "".join(text.split()).replace("-", "").replace(".", "")
    return _typed_number(compact.upper())


def classify(payload: str) -> ClassifiedPayload:
    """What the payload is and its parsed content; malformed input gives `unknown` with the parser's reason."""
    text = nfc(payload).strip(_NOISE)
    if not text:
        return _unknown("empty")
    if len(text) > MAX_PAYLOAD_CHARS:
        return _unknown("too_long")
    try:
        return _classify(text)
    except DomainParseError as err:
        return _unknown(err.reason)
