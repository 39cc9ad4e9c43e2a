"""`kiosk config schema [--write]`: the JSON Schema of the kiosk's remote settings, for config/.

The hub's console editor is driven by this schema; a test fails when the committed file is stale.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk.remote_config.schema import remote_config_json_schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "config" / "kiosk-remote-config.schema.json"


def schema_text() -> str:
    return json.dumps(remote_config_json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("config", help="the kiosk's remote configuration")
    sub = parser.add_subparsers(dest="config_command", required=True)
    schema = sub.add_parser("schema", help="print (or --write) the remote config JSON Schema")
    schema.add_argument("--write", action="store_true", help=f"write it to {SCHEMA_FILE.name} in config/")
    schema.set_defaults(handler=run_schema)


def run_schema(args: argparse.Namespace) -> int:
    text = schema_text()
    if args.write:
        SCHEMA_FILE.write_text(text, encoding="utf-8")
        print(json.dumps({"written": str(SCHEMA_FILE)}, ensure_ascii=False))
    else:
        print(text, end="")
    return 0
