"""`kiosk-hub purge`, `kiosk-hub backup`, `kiosk-hub restore`, `kiosk-hub backup-key new`: retention and backups
from the command line (what they print is JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

# "Try again later" (sysexits.h): another hub process was purging.
EX_TEMPFAIL = 75


def register(sub: Any) -> None:
    purge = sub.add_parser("purge", help="delete personal data past the retention period (KIOSK_HUB_RETENTION_DAYS)")
    purge.add_argument("--db")
    purge.add_argument("--days", type=int, help="retention in days (default: the hub's setting)")
    purge.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    purge.set_defaults(handler=_purge)


def _purge(args: argparse.Namespace) -> int:
    from kiosk_hub.hub import build_hub
    from kiosk_hub.retention.purge import purge
    from kiosk_hub.settings import settings_from_env

    settings = settings_from_env(args.db)
    hub = build_hub(settings)
    try:
        report = purge(hub, args.days or settings.retention_days, dry_run=args.dry_run)
    finally:
        hub.engine.dispose()
    print(
        json.dumps(
            {
                "cutoff_day": report.cutoff.day.isoformat(),
                "dry_run": report.dry_run,
                "skipped": report.skipped,
                "rows": report.rows,
            }
        )
    )
    if report.skipped:
        print("another hub process is purging; nothing done", file=sys.stderr)
        return EX_TEMPFAIL
    return 0
