"""`kiosk demo`: the kiosk on the embedded hub with simulated devices (what the README's first command runs)."""

from __future__ import annotations

import argparse
import json
import sys

# Payloads shaped like the ones patients show; made up, not real people.
_DEMO_PAYLOADS = (
    "001089012345|123456789|Nguyễn Văn An|01021989|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|15082021",
    "HS4010123456789|4e677579e1bb856e2056c4836e20416e|01/02/1989|1|-|01 - 043|01/01/2026|31/12/2026"
    "|01/01/2026|0100|-|4|01/01/2024|8c2a1b3d4e5f6a7b-1a2b$",
    "001089012345",
    "0123456789",
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("demo", help="run the kiosk demo on the embedded hub with simulated devices")
    parser.add_argument("--script", action="store_true", help="run a scripted, non-interactive demo and exit")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Until the touch UI lands, the demo shows what the kiosk understands of what patients present.
    from kiosk.cli.decode import decode_to_json

    print("Kiosk demo (command line): what the kiosk reads from each payload\n", file=sys.stderr)
    for payload in _DEMO_PAYLOADS:
        print(json.dumps(decode_to_json(payload), ensure_ascii=False))
    return 0
