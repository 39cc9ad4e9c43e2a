"""`kiosk-hub admin …` (console users) and `kiosk-hub integration …` (integration credentials).

Passwords are read from stdin, or prompted on a terminal (never argv: it shows in `ps` and shell history).
Output is one JSON document per command; a refusal goes to stderr as {"error": code, "message": …} with exit 1."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kiosk_hub.access.roles import MIN_PASSWORD_LENGTH, Role, Scope

Change = Callable[[Session, datetime], Any]
Handler = Callable[[argparse.Namespace], int]


def register(sub: Any) -> None:
    admin = sub.add_parser("admin", help="console users").add_subparsers(dest="admin_command", required=True)
    _command(admin, "add", "add a user; the password from stdin or a prompt", _add, user=True)
    admin.choices["add"].add_argument("--role", choices=[r.value for r in Role], default=Role.VIEWER.value)
    _command(admin, "list", "list users, roles, places and locks", _list)
    _command(admin, "disable", "disable a user (signed out everywhere)", _disable, user=True)
    _command(admin, "enable", "enable a disabled user", _enable, user=True)
    _command(admin, "password", "set a user's password from stdin or a prompt", _password, user=True)
    _command(admin, "role", "change a user's role", _role, user=True)
    admin.choices["role"].add_argument("role", choices=[r.value for r in Role])
    for name, handler in (("assign", _assign), ("unassign", _unassign)):
        _command(admin, name, f"{name} a staff user to a department (or one room of it)", handler, user=True)
        admin.choices[name].add_argument("department")
        admin.choices[name].add_argument("--room")
    _command(admin, "names", "whether a staff user's calling pages show names", _names, user=True)
    admin.choices["names"].add_argument("shown", choices=["on", "off"])
    _command(admin, "unlock", "lift a sign-in lock: a username, or --address IP", _unlock)
    admin.choices["unlock"].add_argument("username", nargs="?")
    admin.choices["unlock"].add_argument("--address")
    integration = sub.add_parser("integration", help="integration credentials (a HIS)").add_subparsers(
        dest="integration_command", required=True
    )
    _command(integration, "add", "create a credential; prints its token once", _integration_add)
    integration.choices["add"].add_argument("name")
    integration.choices["add"].add_argument("--scope", action="append", choices=[s.value for s in Scope], required=True)
    _command(integration, "list", "list credentials and their scopes", _integration_list)
    _command(integration, "revoke", "revoke a credential (every hub process refuses it within a second)", _revoke)
    integration.choices["revoke"].add_argument("name")


def _command(
    group: Any, name: str, text: str, handler: Callable[[argparse.Namespace], int], user: bool = False
) -> None:
    parser = group.add_parser(name, help=text)
    if user:
        parser.add_argument("username")
    parser.add_argument("--db")
    parser.set_defaults(handler=handler)


def _password_input() -> str:
    return getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")


def _run(args: argparse.Namespace, change: Change, answer: dict[str, Any]) -> int:
    """One change in one transaction; a refusal says why and how to fix it."""
    from kiosk_hub.access.integrations import IntegrationError
    from kiosk_hub.access.passwords import PasswordTooShortError
    from kiosk_hub.access.users import UserError
    from kiosk_hub.hub import build_hub, system_clock
    from kiosk_hub.settings import settings_from_env

    hub = build_hub(settings_from_env(args.db))
    try:
        with hub.writer() as session:
            result = change(session, system_clock())
            session.commit()
    except PasswordTooShortError:
        return _refuse("password_too_short", f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    except (UserError, IntegrationError) as refused:
        return _refuse(refused.code, str(refused))
    finally:
        hub.engine.dispose()
    print(json.dumps(result if result is not None else answer, ensure_ascii=False))
    return 0


def _refuse(code: str, message: str) -> int:
    print(json.dumps({"error": code, "message": message}, ensure_ascii=False), file=sys.stderr)
    return 1


def _add(args: argparse.Namespace) -> int:
    from kiosk_hub.access.passwords import hash_now
    from kiosk_hub.access.users import add_user_hashed

    try:
        hashed = hash_now(_password_input())
    except ValueError:
        return _refuse("password_too_short", f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    role = Role(args.role)
    return _run(
        args, lambda s, now: add_user_hashed(s, args.username, hashed, role, "cli", now),
        {"username": args.username, "role": role.value},
    )  # fmt: skip


def _list(args: argparse.Namespace) -> int:
    from kiosk_hub.access.users import list_users

    def listed(session: Session, _now: datetime) -> dict[str, Any]:
        return {
            "users": [
                {
                    "username": u.username, "role": u.role.value, "disabled": u.disabled,
                    "may_see_names": u.may_see_names,
                    "places": [{"department": d, "room": r} for d, r in u.places],
                }
                for u in list_users(session)
            ]
        }  # fmt: skip

    return _run(args, listed, {})


def _disable(args: argparse.Namespace) -> int:
    from kiosk_hub.access.users import set_disabled

    return _run(args, lambda s, now: set_disabled(s, args.username, True, "cli", now), {"disabled": args.username})


def _enable(args: argparse.Namespace) -> int:
    from kiosk_hub.access.users import set_disabled

    return _run(args, lambda s, now: set_disabled(s, args.username, False, "cli", now), {"enabled": args.username})


def _password(args: argparse.Namespace) -> int:
    from kiosk_hub.access.passwords import hash_now
    from kiosk_hub.access.users import set_password_hash

    try:
        hashed = hash_now(_password_input())
    except ValueError:
        return _refuse("password_too_short", f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _run(
        args, lambda s, now: set_password_hash(s, args.username, hashed, "cli", now), {"password_set": args.username}
    )


def _role(args: argparse.Namespace) -> int:
    from kiosk_hub.access.users import set_role

    role = Role(args.role)
    return _run(
        args,
        lambda s, now: set_role(s, args.username, role, "cli", now),
        {"username": args.username, "role": role.value},
    )


def _assign(args: argparse.Namespace) -> int:
    from kiosk_hub.access.users import assign_place

    place = {"username": args.username, "department": args.department, "room": args.room}
    return _run(args, lambda s, now: assign_place(s, args.username, args.department, args.room, "cli", now), place)


def _unassign(args: argparse.Namespace) -> int:
    from kiosk_hub.access.users import unassign_place

    place = {"username": args.username, "department": args.department, "room": args.room, "removed": True}
    return _run(args, lambda s, now: unassign_place(s, args.username, args.department, args.room, "cli", now), place)


def _names(args: argparse.Namespace) -> int:
    from kiosk_hub.access.users import set_may_see_names

    shown = args.shown == "on"
    return _run(
        args, lambda s, now: set_may_see_names(s, args.username, shown, "cli", now),
        {"username": args.username, "may_see_names": shown},
    )  # fmt: skip


def _unlock(args: argparse.Namespace) -> int:
    from kiosk_hub.access import throttle
    from kiosk_hub.fleet import audit

    if bool(args.username) == bool(args.address):
        return _refuse("one_of_username_or_address", "name a username or give --address, not both")
    key = throttle.account_key(args.username) if args.username else throttle.address_key(args.address)

    def unlock(session: Session, now: datetime) -> None:
        throttle.forget(session, key)
        audit.record(session, now, "cli", "sign_in.unlocked", key)

    return _run(args, unlock, {"unlocked": key})


def _integration_add(args: argparse.Namespace) -> int:
    from kiosk_hub.access.integrations import create_credential

    scopes = {Scope(s) for s in args.scope}

    def create(session: Session, now: datetime) -> dict[str, Any]:
        _id, token = create_credential(session, args.name, scopes, "cli", now)
        # The only time the token is shown: the hub keeps its hash.
        return {"name": args.name, "scopes": sorted(s.value for s in scopes), "token": token}

    return _run(args, create, {})


def _integration_list(args: argparse.Namespace) -> int:
    from kiosk_hub.access.integrations import list_credentials, scopes_of

    def listed(session: Session, _now: datetime) -> dict[str, Any]:
        return {
            "integrations": [
                {
                    "name": row.name, "scopes": sorted(s.value for s in scopes_of(row)),
                    "created_at": row.created_at.isoformat(), "revoked": row.revoked_at is not None,
                }
                for row in list_credentials(session)
            ]
        }  # fmt: skip

    return _run(args, listed, {})


def _revoke(args: argparse.Namespace) -> int:
    from kiosk_hub.access.integrations import revoke_credential

    return _run(args, lambda s, now: revoke_credential(s, args.name, "cli", now), {"revoked": args.name})
