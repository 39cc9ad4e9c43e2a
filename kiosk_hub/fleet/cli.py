"""`kiosk-hub admin add USER --role admin|viewer`: console users; the password is read from stdin (never argv)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any


def register(sub: Any) -> None:
    admin = sub.add_parser("admin", help="manage admin console users").add_subparsers(
        dest="admin_command", required=True
    )
    add = admin.add_parser("add", help="add a console user; the password is read from stdin or prompted")
    add.add_argument("username")
    add.add_argument("--role", choices=["admin", "viewer"], default="viewer")
    add.add_argument("--db")
    add.set_defaults(handler=_add)


def _add(args: argparse.Namespace) -> int:
    from kiosk_hub.fleet.console.auth import UserError, add_user
    from kiosk_hub.fleet.models import Role
    from kiosk_hub.hub import build_hub, system_clock
    from kiosk_hub.settings import settings_from_env

    password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    hub = build_hub(settings_from_env(args.db))
    with hub.writer() as session:
        try:
            add_user(session, args.username, password, Role(args.role), "cli", system_clock())
        except UserError as exc:
            print(json.dumps({"error": str(exc), "username": args.username}, ensure_ascii=False), file=sys.stderr)
            return 1
        session.commit()
    print(json.dumps({"username": args.username, "role": args.role}, ensure_ascii=False))
    return 0
