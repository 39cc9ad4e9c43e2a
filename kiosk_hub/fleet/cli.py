"""The fleet's commands: `kiosk-hub enrolment-code --group G` (one-time codes for scripted go-live) and `kiosk-hub
keys list|rotate-config` (the config-signing keys: public halves and dates only are ever printed). Console users are
`kiosk-hub admin …` (`kiosk_hub/access/cli.py`)."""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from typing import Any


def register(sub: Any) -> None:
    keys = sub.add_parser("keys", help="the keys that sign kiosk configurations").add_subparsers(
        dest="keys_command", required=True
    )
    listing = keys.add_parser("list", help="the keys, the active one first, with the chain of key changes")
    listing.add_argument("--db")
    listing.set_defaults(handler=_keys_list)
    rotate = keys.add_parser("rotate-config", help="a new signing key, announced to kiosks signed by the old one")
    rotate.add_argument("--db")
    rotate.set_defaults(handler=_keys_rotate)
    codes = sub.add_parser(
        "enrolment-code",
        help="print one-time enrolment codes (what the console's 'Enrol a kiosk' page makes); a kiosk trades one "
        "for its own token with `kiosk enrol --code CODE`",
    )
    codes.add_argument("--group", default="default", help="the kiosks' group (default: default)")
    codes.add_argument("--create-group", action="store_true", help="create the group if it does not exist")
    codes.add_argument("--count", type=_code_count, default=1, metavar="N", help="codes to make (1-100)")
    codes.add_argument("--db")
    codes.set_defaults(handler=_enrolment_codes)


def _code_count(text: str) -> int:
    count = int(text)
    if not 1 <= count <= 100:
        raise argparse.ArgumentTypeError("between 1 and 100")
    return count


def _keys_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from kiosk_hub.fleet.key_rotation import key_changes
    from kiosk_hub.fleet.models import ConfigSigningKey
    from kiosk_hub.hub import build_hub
    from kiosk_hub.settings import settings_from_env

    hub = build_hub(settings_from_env(args.db))
    with hub.reader() as session:
        rows = session.scalars(select(ConfigSigningKey).order_by(ConfigSigningKey.created_at.desc()))
        keys = [
            {"key_id": r.key_id, "active": r.active is not None, "sealed": r.private_sealed is not None,
             "created_at": r.created_at.isoformat(), "retired_at": r.retired_at.isoformat() if r.retired_at else None}
            for r in rows
        ]  # fmt: skip
        chain = [{"from": c.previous_key_id, "to": c.key_id, "signed_at": c.signed_at} for c in key_changes(session)]
    print(json.dumps({"key_file": str(hub.config_keys.key_file), "keys": keys, "changes": chain}, ensure_ascii=False))
    return 0


def _keys_rotate(args: argparse.Namespace) -> int:
    from kiosk_hub.fleet.key_rotation import rotate
    from kiosk_hub.fleet.signing import SigningKeyUnavailableError
    from kiosk_hub.hub import build_hub, system_clock
    from kiosk_hub.settings import settings_from_env

    hub = build_hub(settings_from_env(args.db))
    with hub.writer() as session:
        try:
            hub.config_keys.prepare(session, system_clock())
            change = rotate(session, hub.config_keys, "cli", system_clock())
        except SigningKeyUnavailableError as exc:
            print(json.dumps({"error": "config_signing_unavailable", "detail": str(exc)}, ensure_ascii=False),
                  file=sys.stderr)  # fmt: skip
            return 1
        session.commit()
    print(json.dumps({"previous_key_id": change.previous_key_id, "key_id": change.key_id}))
    return 0


def _enrolment_codes(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from kiosk_hub.fleet.enrolment import CODE_LIFETIME, create_code, default_group
    from kiosk_hub.fleet.models import KioskGroup
    from kiosk_hub.hub import build_hub, system_clock
    from kiosk_hub.settings import settings_from_env

    hub, now = build_hub(settings_from_env(args.db)), system_clock()
    with hub.writer() as session:
        group = session.scalars(select(KioskGroup).where(KioskGroup.name == args.group)).first()
        if group is None and args.group == "default":
            group = default_group(session, now)
        elif group is None and args.create_group:
            group = KioskGroup(id=str(uuid.uuid4()), name=args.group[:100], created_at=now)
            session.add(group)
            session.flush()
        if group is None:
            # A typo must not make a group nobody rolls configurations out to: say which groups there are.
            known = sorted(session.scalars(select(KioskGroup.name)))
            print(json.dumps({"error": "unknown_group", "group": args.group, "groups": known}, ensure_ascii=False),
                  file=sys.stderr)  # fmt: skip
            return 1
        codes = [create_code(session, "cli", now, group.id) for _ in range(args.count)]
        session.commit()
    # Shown once: the hub keeps only their hashes.
    expires = (now + CODE_LIFETIME).isoformat(timespec="seconds")
    print(json.dumps({"group": group.name, "codes": codes, "expires_at": expires}, ensure_ascii=False))
    return 0
