"""`kiosk decode PAYLOAD`: what the kiosk reads from a scanned or typed payload, as one JSON object."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("decode", help="decode a scanned or typed payload to JSON")
    parser.add_argument("payload", help="the QR text or typed number")
    parser.set_defaults(handler=run)


def decode_to_json(payload: str) -> dict[str, Any]:
    # Filled in by the domain (classifier + parsers); placeholder until then.
    return {"kind": "unknown", "reason": "not implemented"}


def run(args: argparse.Namespace) -> int:
    print(json.dumps(decode_to_json(args.payload), ensure_ascii=False))
    return 0
