"""`kiosk-hub release …`: add a built release, roll it out to a group (canaries first), pause, resume, roll back to
any earlier release, pin one kiosk, set a group's maintenance windows, and print the fleet's versions. Each prints
one JSON line; a refusal is `{"error": CODE, …}` on stderr and exit status 1."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session


def register(sub: Any) -> None:
    release = sub.add_parser("release", help="kiosk software releases and their rollouts")
    commands = release.add_subparsers(dest="release_command", required=True)
    add = commands.add_parser("add", help="make a release of a built bundle (scripts/build-release's output)")
    add.add_argument("artifact", type=Path, help="the bundle's directory or its .tar.gz")
    add.add_argument("--expires-days", type=int, default=90, help="the manifest's validity (default 90)")
    add.add_argument("--min-config-schema", type=int, default=None)
    add.add_argument("--max-config-schema", type=int, default=None)
    add.set_defaults(handler=_add)
    commands.add_parser("list", help="the releases and the fleet's versions").set_defaults(handler=_list)
    for name, helptext in (("rollout", "roll a release out to a group: canaries first"),
                           ("rollback", "roll a group back (to --version, or to what it ran before)")):  # fmt: skip
        cmd = commands.add_parser(name, help=helptext)
        cmd.add_argument("--group", required=True)
        cmd.add_argument("--version", required=name == "rollout")
        cmd.set_defaults(handler=_rollout if name == "rollout" else _rollback)
    for name in ("pause", "resume"):
        cmd = commands.add_parser(name, help=f"{name} a group's rollout")
        cmd.add_argument("--group", required=True)
        cmd.set_defaults(handler=_pause if name == "pause" else _resume)
    pin = commands.add_parser("pin", help="hold one kiosk on a release (--version), or let it follow (--unpin)")
    pin.add_argument("--kiosk", required=True, help="the kiosk's name or id")
    pin.add_argument("--version")
    pin.add_argument("--unpin", action="store_true")
    pin.set_defaults(handler=_pin)
    window = commands.add_parser("window", help='a group\'s maintenance windows, e.g. "12:00-13:00,17:00-23:59"')
    window.add_argument("--group", required=True)
    window.add_argument("windows", help='comma-separated HH:MM-HH:MM (Vietnam time); "" for any time')
    window.set_defaults(handler=_window)
    for cmd in commands.choices.values():
        cmd.add_argument("--db")


def _fail(code: str, **detail: object) -> int:
    print(json.dumps({"error": code, **detail}, ensure_ascii=False), file=sys.stderr)
    return 1


def _in_session(args: argparse.Namespace, work: Callable[[Session, Any, Any], dict[str, object]]) -> int:
    """Run `work(session, hub, now)` in one transaction; its refusals become `{"error": …}`."""
    from kiosk.updates.window import BadWindowError
    from kiosk_hub.fleet.signing import SigningKeyUnavailableError
    from kiosk_hub.hub import build_hub, system_clock
    from kiosk_hub.releases.catalogue import ReleaseAddError
    from kiosk_hub.releases.rollout import ReleaseRolloutError
    from kiosk_hub.settings import settings_from_env

    hub = build_hub(settings_from_env(args.db))
    try:
        with hub.writer() as session:
            try:
                answer = work(session, hub, system_clock())
            except (ReleaseAddError, ReleaseRolloutError, BadWindowError) as exc:
                return _fail(str(exc).split(":")[0], detail=str(exc))
            except SigningKeyUnavailableError as exc:
                return _fail("release_signing_unavailable", detail=str(exc))
            session.commit()
    finally:
        hub.engine.dispose()
    print(json.dumps(answer, ensure_ascii=False))
    return 0


def _group_id(session: Session, name: str) -> str:
    from kiosk_hub.fleet.models import KioskGroup
    from kiosk_hub.releases.rollout import ReleaseRolloutError

    group = session.scalars(select(KioskGroup).where(KioskGroup.name == name)).first()
    if group is None:
        raise ReleaseRolloutError(f"unknown_group: {name}")
    return group.id


def _add(args: argparse.Namespace) -> int:
    from kiosk.remote_config.schema import SCHEMA_VERSION
    from kiosk_hub.releases.catalogue import ReleaseTerms, add_release, manifest_of

    terms = ReleaseTerms(args.expires_days, args.min_config_schema or SCHEMA_VERSION,
                         args.max_config_schema or SCHEMA_VERSION)  # fmt: skip

    def work(session: Session, hub: Any, now: Any) -> dict[str, object]:
        found = add_release(session, hub.config_keys, hub.settings.release_dir_path(), args.artifact, "cli", now, terms)
        manifest = manifest_of(found)
        return {"version": found.version, "platform": found.platform, "python": found.python,
                "files": len(manifest.files), "bytes": found.total_size, "key_id": found.key_id,
                "expires_at": manifest.expires_at}  # fmt: skip

    return _in_session(args, work)


def _list(args: argparse.Namespace) -> int:
    from kiosk_hub.releases.fleet_view import fleet_versions

    return _in_session(args, lambda session, _hub, _now: fleet_versions(session))


def _rollout(args: argparse.Namespace) -> int:
    from kiosk_hub.releases import rollout

    def work(session: Session, _hub: Any, now: Any) -> dict[str, object]:
        done = rollout.start(session, _group_id(session, args.group), args.version, "cli", now)
        return {"group": args.group, "version": done.version, "phase": done.phase}

    return _in_session(args, work)


def _rollback(args: argparse.Namespace) -> int:
    from kiosk_hub.releases import rollout

    def work(session: Session, _hub: Any, now: Any) -> dict[str, object]:
        done = rollout.roll_back(session, _group_id(session, args.group), "cli", now, args.version)
        return {"group": args.group, "version": done.version, "phase": done.phase, "rollback": True}

    return _in_session(args, work)


def _pause(args: argparse.Namespace, paused: bool = True) -> int:
    from kiosk_hub.releases import rollout

    def work(session: Session, _hub: Any, now: Any) -> dict[str, object]:
        done = rollout.set_paused(session, _group_id(session, args.group), paused, "cli", now)
        return {"group": args.group, "version": done.version, "paused": done.paused}

    return _in_session(args, work)


def _resume(args: argparse.Namespace) -> int:
    return _pause(args, paused=False)


def _pin(args: argparse.Namespace) -> int:
    from kiosk_hub.db.models import Kiosk
    from kiosk_hub.releases import rollout

    if bool(args.version) == bool(args.unpin):
        return _fail("usage", detail="give --version V or --unpin")

    def work(session: Session, _hub: Any, now: Any) -> dict[str, object]:
        kiosk = session.scalars(select(Kiosk).where((Kiosk.name == args.kiosk) | (Kiosk.id == args.kiosk))).first()
        if kiosk is None:
            raise rollout.ReleaseRolloutError(f"unknown_kiosk: {args.kiosk}")
        rollout.pin(session, kiosk.id, None if args.unpin else args.version, "cli", now)
        return {"kiosk": kiosk.name, "pinned": None if args.unpin else args.version}

    return _in_session(args, work)


def _window(args: argparse.Namespace) -> int:
    from kiosk_hub.releases import rollout

    def work(session: Session, _hub: Any, now: Any) -> dict[str, object]:
        windows = rollout.set_windows(session, _group_id(session, args.group), args.windows, "cli", now)
        return {"group": args.group, "windows": windows}

    return _in_session(args, work)
