"""`kiosk card read`: read a CCCD chip on a PC/SC reader and print what it says as one JSON object (for hospital IT).

The access key comes from the ID + dates, an MRZ, or the card's QR alone (candidate expiries tried in turn); the
chip is opened with PACE when it offers it, else BAC (`access_control`). Beside `passive_auth` (the data are signed)
stands `chip_auth`: `genuine`, `failed` (a clone, or a chip that broke off the proof: the kiosk sends such a
patient to the desk) or `not_offered`, with the protocol that decided it. A failed proof is a verdict, not an error
of the tool: exit code 0, like an invalid signature. On failure to read: a non-zero exit code and
`{"error": {"code", "message"}}`; nothing read from the card is logged.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.domain.card_read import (
    CardRead,
    ChipAccessKey,
    access_key_from_id,
    access_key_from_mrz,
    access_keys_from_qr,
)
from kiosk.domain.cccd_qr import parse_cccd_qr
from kiosk.domain.errors import DomainParseError

READER_ENV = "KIOSK_CHIP_READER"
CSCA_ENV = "KIOSK_CSCA_PATHS"  # os.pathsep-separated CSCA certificate files, as the kiosk config names them


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("card", help="chip ID card (CCCD) commands")
    commands = parser.add_subparsers(dest="card_command", required=True, metavar="ACTION")
    read = commands.add_parser("read", help="read the chip and print its data as JSON")
    read.add_argument("--reader", default=os.environ.get(READER_ENV), help=f"PC/SC reader name (or ${READER_ENV})")
    keys = read.add_mutually_exclusive_group(required=True)
    keys.add_argument("--id", dest="id_number", help="12-digit ID number (with --dob and --expiry)")
    keys.add_argument("--mrz", help="the three MRZ lines from the back of the card")
    keys.add_argument("--qr", help="the QR payload on the card (its expiry is guessed: up to 3 tries)")
    read.add_argument("--dob", type=date.fromisoformat, help="date of birth YYYY-MM-DD (with --id)")
    read.add_argument("--expiry", help="expiry YYYY-MM-DD, or 'none' for a card without expiry (with --id)")
    read.add_argument("--csca", action="append", type=Path, default=[], help="trust anchor certificate (repeatable)")
    read.add_argument("--dg2", action="store_true", help="also read the face image (printed as base64)")
    read.add_argument("--json", action="store_true", help="JSON output (the only format)")
    read.set_defaults(handler=run)


def _keys(args: argparse.Namespace) -> tuple[ChipAccessKey, ...]:
    if args.mrz:
        return access_key_from_mrz(args.mrz)
    if args.qr:
        qr = parse_cccd_qr(args.qr)
        return access_keys_from_qr(qr.id_number, qr.date_of_birth, qr.issue_date)
    if args.dob is None or args.expiry is None:
        raise DomainParseError("missing_dates", "--id needs --dob and --expiry")
    expiry = None if args.expiry.casefold() == "none" else date.fromisoformat(args.expiry)
    return access_key_from_id(args.id_number, args.dob, expiry)


def card_to_json(read: CardRead, with_face: bool) -> dict[str, Any]:
    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    out: dict[str, Any] = {
        "document_number": read.document_number,
        "id_number": read.id_number,
        "full_name": read.full_name,
        "date_of_birth": day(read.date_of_birth),
        "sex": read.sex.value if read.sex else None,
        "nationality": read.nationality,
        "ethnicity": read.ethnicity,
        "religion": read.religion,
        "place_of_origin": read.place_of_origin,
        "place_of_residence": read.place_of_residence,
        "identifying_marks": read.identifying_marks,
        "issue_date": day(read.issue_date),
        "expiry_date": day(read.expiry_date),
        "father_name": read.father_name,
        "mother_name": read.mother_name,
        "spouse_name": read.spouse_name,
        "old_id_number": read.old_id_number,
        "passive_auth": {"hashes_ok": read.passive_auth.hashes_ok, "signature": read.passive_auth.signature.value},
        "chip_auth": read.chip_auth.status.value,
        "chip_auth_protocol": read.chip_auth.protocol.value if read.chip_auth.protocol else None,
        "access_control": read.stats.access_control.value,
        "apdu_count": read.stats.apdu_count,
        "elapsed_ms": round(read.stats.elapsed_ms, 1),
    }
    if with_face:
        out["face_jpeg_base64"] = base64.b64encode(read.face_jpeg).decode() if read.face_jpeg else None
    return out


def _fail(code: str, message: str) -> int:
    print(json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False))
    return 2


async def _read(args: argparse.Namespace, keys: tuple[ChipAccessKey, ...]) -> CardRead:
    from kiosk.hardware.chip.adapter_pyscard import PcscReaderSettings, PyscardChipReader

    anchors = list(args.csca) + [Path(p) for p in os.environ.get(CSCA_ENV, "").split(os.pathsep) if p]
    reader = PyscardChipReader(PcscReaderSettings(args.reader, anchors, read_face=args.dg2))
    try:
        return await reader.read(keys)
    finally:
        await reader.close()


def run(args: argparse.Namespace) -> int:
    from kiosk.hardware.chip.errors import ChipError

    if not args.reader:
        return _fail("reader_not_found", f"name the reader with --reader or ${READER_ENV}")
    try:
        keys = _keys(args)
    except (DomainParseError, ValueError) as exc:
        return _fail("bad_key_input", str(exc))
    started = time.monotonic()
    try:
        read = asyncio.run(_read(args, keys))
    except ChipError as exc:
        return _fail(exc.code.value, exc.message)
    except OSError as exc:  # a trust anchor file that cannot be read
        return _fail("config_error", exc.strerror or str(exc))
    output = card_to_json(read, args.dg2)
    output["elapsed_ms"] = round((time.monotonic() - started) * 1000, 1)
    print(json.dumps(output, ensure_ascii=False))
    return 0
