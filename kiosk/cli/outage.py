"""`kiosk outage`: the outage scenario, headless: a patient checks in on the embedded hub, the hub is cut off, the
next patient still gets a (provisional) ticket from the kiosk's lease, the hub comes back and the journal is replayed.

Prints one JSON line: both tickets, how long the offline check-in took, what the hub made of the replay.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("outage", help="the outage scenario: tickets keep coming while the hub is cut off")
    parser.add_argument("--pictures", type=Path, help="save each printed ticket as a picture in this directory")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.demo.outage import outage_report

    print(json.dumps(asyncio.run(outage_report(args.pictures)), ensure_ascii=False))
    return 0
