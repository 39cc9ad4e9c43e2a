"""`kiosk-hub purge`, `kiosk-hub backup`, `kiosk-hub restore`, `kiosk-hub backup-key new`: retention and backups
from the command line (what they print is JSON)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

# "Try again later" (sysexits.h): another hub process was purging.
EX_TEMPFAIL = 75


def register(sub: Any) -> None:
    purge = sub.add_parser("purge", help="delete personal data past the retention period (KIOSK_HUB_RETENTION_DAYS)")
    purge.add_argument("--db")
    purge.add_argument("--days", type=int, help="retention in days (default: the hub's setting)")
    purge.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    purge.set_defaults(handler=_purge)
    key_help = "the backup key file (default: KIOSK_HUB_BACKUP_KEY_FILE)"
    backup = sub.add_parser("backup", help="write an encrypted backup of the hub's store (while it serves)")
    backup.add_argument("--out", required=True, type=Path, help="the backup file to create (never replaced)")
    backup.add_argument("--key", type=Path, help=key_help)
    backup.add_argument("--db")
    backup.set_defaults(handler=_backup)
    restore = sub.add_parser("restore", help="replace the store's content with a backup's (stop the hub first)")
    restore.add_argument("file", type=Path)
    restore.add_argument("--key", type=Path, help=key_help)
    restore.add_argument("--db")
    restore.set_defaults(handler=_restore)
    key = sub.add_parser("backup-key", help="the key backups are encrypted with").add_subparsers(
        dest="key_command", required=True
    )
    new = key.add_parser("new", help="make a key file (0600); keep a copy away from the hub: backups need it")
    new.add_argument("--out", required=True, type=Path)
    new.set_defaults(handler=_new_key)


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


def _key(args: argparse.Namespace) -> Any:
    from kiosk_hub.retention.sealed import BackupError, BackupKey

    path = args.key or (
        Path(os.environ["KIOSK_HUB_BACKUP_KEY_FILE"]) if "KIOSK_HUB_BACKUP_KEY_FILE" in os.environ else None
    )
    if path is None:
        raise BackupError("no backup key: pass --key FILE or set KIOSK_HUB_BACKUP_KEY_FILE")
    return BackupKey.read(path)


def _refused(exc: Exception) -> int:
    print(json.dumps({"error": "backup_refused", "reason": str(exc)}, ensure_ascii=False), file=sys.stderr)
    return 1


def _backup(args: argparse.Namespace) -> int:
    from kiosk_hub.retention.backup import make_backup
    from kiosk_hub.retention.sealed import BackupError
    from kiosk_hub.settings import settings_from_env

    try:
        made = make_backup(settings_from_env(args.db).database_url, _key(args), args.out)
    except (BackupError, OSError) as exc:
        return _refused(exc)
    print(json.dumps({"backup": str(made.path), "store": made.store, "revision": made.revision, "bytes": made.size}))
    return 0


def _restore(args: argparse.Namespace) -> int:
    from kiosk_hub.retention.backup import restore_backup
    from kiosk_hub.retention.sealed import BackupError
    from kiosk_hub.settings import settings_from_env

    try:
        metadata = restore_backup(settings_from_env(args.db).database_url, _key(args), args.file)
    except (BackupError, OSError) as exc:
        return _refused(exc)
    print(json.dumps({"restored": str(args.file), **metadata}, ensure_ascii=False))
    return 0


def _new_key(args: argparse.Namespace) -> int:
    from kiosk_hub.retention.sealed import BackupKey

    key = BackupKey.new()
    try:
        key.write(args.out)
    except FileExistsError:
        return _refused(FileExistsError(f"{args.out} exists: a key is never replaced (a backup may need it)"))
    print(json.dumps({"key_file": str(args.out), "key_id": key.key_id}))
    return 0
