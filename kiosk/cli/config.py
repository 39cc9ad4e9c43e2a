"""`kiosk config check [--config FILE] [--json]`: the settings in effect, where each came from, and whether the
kiosk would serve with them (exit 0), refuse (1: a demo's devices or hub without demo = true) or not start (2: the
file cannot be used). `kiosk config schema [--write]`: the JSON Schema of the kiosk's remote settings, for config/
(the hub's console editor is driven by it; a test fails when the committed file is stale).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk.cli import settings_file_option
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
    check = sub.add_parser("check", help="print the settings in effect and where each came from")
    settings_file_option(check)
    check.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from kiosk.settings import KioskSettings, SettingsError, read_settings_file
    from kiosk.settings_report import enrolment_state, report, verdict

    try:
        written = read_settings_file(args.config)
        settings = KioskSettings.model_validate(written)
    except SettingsError as exc:
        return _problems(args, exc.problems)
    except ValidationError as exc:
        return _problems(args, [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()])
    rows = report(settings, written)
    refused = verdict(settings)
    state_dir = Path(next(r.value for r in rows if r.key == "state_dir"))
    enrolled = enrolment_state(state_dir) if settings.hub.mode == "remote" else "embedded hub"
    if args.json:
        body = {
            "file": str(args.config),
            "settings": [{"key": r.key, "value": r.value, "source": r.source} for r in rows],
            "enrolment": enrolled,
            "refused": refused,
        }
        print(json.dumps(body, ensure_ascii=False))
    else:
        print(f"settings file: {args.config}")
        width = max(len(r.key) + len(r.value) for r in rows) + 4
        for r in rows:
            print(f"{r.key} = {r.value}".ljust(width) + f"({r.source})")
        print(f"enrolment: {enrolled}")
        print("verdict: " + ("refused: " + "; ".join(refused) if refused else "may serve patients"))
    return 1 if refused else 0


def _problems(args: argparse.Namespace, problems: list[str]) -> int:
    if args.json:
        print(json.dumps({"file": str(args.config), "problems": problems}, ensure_ascii=False))
    else:
        print(f"settings file: {args.config}: cannot be used")
        for problem in problems:
            print(f"  {problem}")
    return 2


def run_schema(args: argparse.Namespace) -> int:
    text = schema_text()
    if args.write:
        SCHEMA_FILE.write_text(text, encoding="utf-8")
        print(json.dumps({"written": str(SCHEMA_FILE)}, ensure_ascii=False))
    else:
        print(text, end="")
    return 0
