"""`kiosk run [--config FILE]`: the kiosk as installed in a lobby: full screen on its panel, devices and hub from
the settings file (the composition root is kiosk/runtime). The settings file is the one place: `kiosk config check`
prints what is in effect."""

from __future__ import annotations

import argparse
import json
import os
import sys

from kiosk.cli import settings_file_option


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("run", help="run the kiosk full screen with the devices in the settings file")
    settings_file_option(parser)
    parser.add_argument("--windowed", action="store_true", help="a window instead of full screen (set-up, testing)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.settings import SettingsError, load_settings

    try:
        settings = load_settings(args.config)
    except SettingsError as exc:
        print(json.dumps({"error": "bad_settings", "problems": exc.problems}, ensure_ascii=False), file=sys.stderr)
        from kiosk.runtime.root import show_bad_settings

        shown = show_bad_settings(args.config, exc.problems)  # on the panel, until IT edits the file
        return 2 if shown is None else shown
    from kiosk.runtime.root import run_kiosk

    return run_kiosk(settings, settings_file=args.config, windowed=args.windowed)


def panel_main() -> int:
    """`kiosk-panel`: `kiosk run` with the default settings file, as weston's [autolaunch] starts it (it passes no
    arguments). systemd's WATCHDOG_PID names weston, the unit's main process; the kiosk pings the watchdog for the
    whole session (NotifyAccess=all), so it drops that name."""
    from kiosk.cli import main

    os.environ.pop("WATCHDOG_PID", None)
    return main(["run"])
