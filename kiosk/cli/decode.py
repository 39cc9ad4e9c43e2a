"""`kiosk decode PAYLOAD`: what the kiosk reads from a scanned or typed payload, as one JSON object.

For hospital IT and scripts. The object always has `kind`; parsed fields use the domain's names (dates ISO,
partial dates `YYYY` / `YYYY-MM`, missing → null). Unrecognised or malformed input prints
`{"kind": "unknown", "reason": ...}` and still exits 0: "not recognised" is an answer, not a failure of the tool.
Exit code 2 is left to argparse for a missing argument.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from kiosk.domain.bhyt_code import BhytCardCode
from kiosk.domain.bhyt_qr import BhytQr
from kiosk.domain.cccd_qr import CccdQr
from kiosk.domain.citizen_id import CitizenId
from kiosk.domain.payload import ClassifiedPayload, PayloadKind, classify


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("decode", help="decode a scanned or typed payload to JSON")
    parser.add_argument("payload", help="the QR text or typed number")
    parser.set_defaults(handler=run)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _card_code(card: BhytCardCode) -> dict[str, Any]:
    return {
        "card_code": card.code,
        "benefit_level": card.benefit_level,
        "benefit_percent": card.benefit_percent,
    }


def _cccd_qr(card: CccdQr) -> dict[str, Any]:
    return {
        "id_number": card.id_number,
        "old_id_number": card.old_id_number,
        "full_name": card.full_name,
        "date_of_birth": _iso(card.date_of_birth),
        "sex": card.sex.value,
        "address": card.address,
        "issue_date": _iso(card.issue_date),
    }


def _bhyt_qr(card: BhytQr) -> dict[str, Any]:
    return {
        **_card_code(card.card),
        "full_name": card.full_name,
        "date_of_birth": card.date_of_birth.iso(),
        "sex": None if card.sex is None else card.sex.value,
        "address": card.address,
        "registered_facility": card.registered_facility,
        "valid_from": _iso(card.valid_from),
        "valid_to": _iso(card.valid_to),
        "issue_date": _iso(card.issue_date),
        "five_year_date": _iso(card.five_year_date),
        "guardian_name": card.guardian_name,
    }


def _fields(result: ClassifiedPayload) -> dict[str, Any]:
    parsed = result.parsed
    if isinstance(parsed, CccdQr):
        return _cccd_qr(parsed)
    if isinstance(parsed, BhytQr):
        return _bhyt_qr(parsed)
    if isinstance(parsed, CitizenId):
        # The number alone says sex and birth year, not a full date of birth: only what is certain is printed.
        return {"id_number": parsed.number, "sex": parsed.sex.value}
    if isinstance(parsed, BhytCardCode):
        return _card_code(parsed)
    if result.kind is PayloadKind.CMND_NUMBER and isinstance(parsed, str):
        return {"old_id_number": parsed}
    return {}


def decode_to_json(payload: str) -> dict[str, Any]:
    """One JSON-ready object for a payload; never raises for any text."""
    result = classify(payload)
    if result.kind is PayloadKind.UNKNOWN:
        return {"kind": PayloadKind.UNKNOWN.value, "reason": result.reason}
    return {"kind": result.kind.value, **_fields(result)}


def run(args: argparse.Namespace) -> int:
    print(json.dumps(decode_to_json(args.payload), ensure_ascii=False))
    return 0
