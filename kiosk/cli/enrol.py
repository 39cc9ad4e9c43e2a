"""`kiosk enrol --code CODE [--config FILE]`: enrol this kiosk with its hub now, with a one-time code from the
console (Đăng ký ki-ốt). Saves the credentials (replacing earlier ones atomically: a re-enrolment), readable by the
kiosk's user only; a running kiosk that waits out of service starts again into service by itself."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from kiosk.cli import settings_file_option


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("enrol", help="enrol this kiosk with the hub using a one-time code")
    parser.add_argument("--code", required=True, help="the one-time code shown in the hub's console")
    settings_file_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.remote_config.enrolment import KioskCredentials
    from kiosk.runtime.admission import enrol_once, hub_http
    from kiosk.runtime.state import StateDir
    from kiosk.settings import SettingsError, load_settings

    try:
        settings = load_settings(args.config)
    except SettingsError as exc:
        return _fail("bad_settings", "; ".join(exc.problems))
    if settings.hub.mode != "remote":
        return _fail("bad_settings", "hub.mode is not remote: there is no hub to enrol with")
    state = StateDir.from_environment()

    async def enrolling() -> KioskCredentials | tuple[object, str]:
        async with hub_http(settings.hub) as http:
            return await enrol_once(http, args.code.strip(), settings.kiosk_name, state)

    outcome = asyncio.run(enrolling())
    if not isinstance(outcome, KioskCredentials):
        reason, detail = outcome
        return _fail(str(reason), detail)
    said = {"enrolled": outcome.kiosk_id, "name": settings.kiosk_name, "credentials": str(state.credentials)}
    print(json.dumps(said, ensure_ascii=False))
    return 0


def _fail(code: str, detail: str) -> int:
    print(json.dumps({"error": code, "detail": detail}, ensure_ascii=False), file=sys.stderr)
    return 1
