"""`kiosk-hub departments import FILE [--dry-run]` and `kiosk-hub departments export [--format json|csv]`.

The import prints a JSON summary on stdout (what was added, changed, left alone, hidden) and, when the file has
problems, each one on stderr in Vietnamese and in English with its line, and writes nothing (exit 1).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    departments = sub.add_parser(
        "departments", help="the hospital's departments and rooms: import from CSV or JSON, export"
    ).add_subparsers(dest="departments_command", required=True)
    load = departments.add_parser(
        "import",
        help="add or update departments from a CSV or JSON file (docs/departments.md); nothing is written if "
        "any line has a problem",
    )
    load.add_argument("file", help="a .csv or .json file, or - for stdin")
    load.add_argument("--dry-run", action="store_true", help="check the file and say what would change")
    load.add_argument("--db")
    load.set_defaults(handler=_import)
    dump = departments.add_parser("export", help="print every department and room (the import's format)")
    dump.add_argument("--format", choices=["json", "csv"], default="json")
    dump.add_argument("--db")
    dump.set_defaults(handler=_export)


def _import(args: argparse.Namespace) -> int:
    from kiosk_hub.catalogue.files import read_file
    from kiosk_hub.catalogue.store import apply_import, plan_import
    from kiosk_hub.hub import build_hub, system_clock
    from kiosk_hub.settings import settings_from_env

    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        print(json.dumps({"error": "unreadable_file", "file": args.file, "reason": exc.strerror}), file=sys.stderr)
        return 1
    reading = read_file(data, "" if args.file == "-" else args.file)
    hub = build_hub(settings_from_env(args.db))
    with hub.writer() as session:
        if args.dry_run:
            plan = plan_import(session, reading)
        else:
            plan = apply_import(session, reading, "cli", system_clock())
            if not plan.problems:
                session.commit()
    for problem in plan.problems:
        print(f"{problem.text('vi')}\n    {problem.text('en')}", file=sys.stderr)
    summary = {
        "dry_run": args.dry_run,
        "written": not args.dry_run and not plan.problems,
        **plan.summary(),
        "problems": [{"line": p.line, "field": p.field, "vi": p.words.vi, "en": p.words.en} for p in plan.problems],
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if plan.problems else 0


def _export(args: argparse.Namespace) -> int:
    from kiosk_hub.catalogue.files import to_csv, to_json
    from kiosk_hub.catalogue.store import records
    from kiosk_hub.hub import build_hub
    from kiosk_hub.settings import settings_from_env

    hub = build_hub(settings_from_env(args.db))
    with hub.reader() as session:
        found = records(session)
    sys.stdout.write(to_csv(found) if args.format == "csv" else to_json(found))
    return 0
