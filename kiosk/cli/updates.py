"""`kiosk updates run`: the update agent (unit kiosk-updates.service, docs/updates.md); `kiosk updates status`:
the release in use, a release on trial and the last update's outcome."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from typing import TYPE_CHECKING

from kiosk.cli import settings_file_option

if TYPE_CHECKING:
    from kiosk.settings import KioskSettings
    from kiosk.updates.install import Layout


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("updates", help="the kiosk software's update agent")
    commands = parser.add_subparsers(dest="updates_command", required=True)
    run = commands.add_parser("run", help="check the hub for a release, install it, switch between patients")
    settings_file_option(run)
    run.add_argument("--once", action="store_true", help="one look at the hub, then exit (prints what it did)")
    run.set_defaults(handler=_run)
    status = commands.add_parser("status", help="the release in use, one on trial, the last outcome")
    settings_file_option(status)
    status.set_defaults(handler=_status)


def _layout(args: argparse.Namespace) -> tuple[KioskSettings, Layout]:
    from kiosk.runtime.state import StateDir
    from kiosk.settings import load_settings
    from kiosk.updates.install import Layout

    settings = load_settings(args.config)
    state = StateDir.from_environment()
    updates = settings.updates
    return settings, Layout(updates.install_root, state.root / "updates", updates.python, updates.shared_base)


def _status(args: argparse.Namespace) -> int:
    from kiosk.updates import guard

    _settings, layout = _layout(args)
    said = {"current": guard.current_version(layout.root), "trial": guard.read_json(layout.state / guard.TRIAL),
            "outcome": guard.read_json(layout.state / guard.OUTCOME)}  # fmt: skip
    print(json.dumps(said, ensure_ascii=False))
    return 0


def _run(args: argparse.Namespace) -> int:
    from importlib.metadata import version

    import httpx

    from kiosk.backend_client.tls import hub_ssl_context
    from kiosk.remote_config.enrolment import load_credentials
    from kiosk.runtime.state import StateDir
    from kiosk.updates.agent import RESTART, UpdateAgent

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings, layout = _layout(args)
    updates = settings.updates
    state = StateDir.from_environment()
    if not updates.enabled or not state.credentials.exists():
        logging.getLogger("kiosk.updates").info("updates off, or the kiosk is not enrolled yet: nothing to do")
        time.sleep(0 if args.once else updates.check_every_s)
        return 0 if args.once else RESTART
    credentials = load_credentials(state.credentials)
    http = httpx.Client(
        base_url=credentials.hub_url, timeout=30, verify=hub_ssl_context(settings.hub.ca_file),
        headers={"Authorization": f"Bearer {credentials.token}"},
    )  # fmt: skip
    agent = UpdateAgent(
        http, credentials, layout, version("vn-hospital-kiosk"), bandwidth_bytes=updates.bandwidth_kbps * 1024,
        health_seconds=updates.health_timeout_s, wait_for_app=updates.wait_for_app,
        min_free_bytes=updates.min_free_mb * 1024 * 1024,
    )  # fmt: skip
    if agent.settle_trial() == "rolled_back":
        return RESTART
    agent.report_outcome()
    while True:
        done = agent.step()
        logging.getLogger("kiosk.updates").info("%s", done)
        if done == "switched":
            return RESTART
        if args.once:
            print(json.dumps({"updates": done}, ensure_ascii=False), file=sys.stdout)
            return 0
        time.sleep(updates.check_every_s)
