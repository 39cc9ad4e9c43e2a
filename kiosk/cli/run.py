"""`kiosk run --config FILE`: the kiosk as installed in a lobby: full screen, devices and hub from the settings
(the composition root is kiosk/runtime)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

DEFAULT_CONFIG = Path("/etc/kiosk/kiosk.toml")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("run", help="run the kiosk full screen with the devices in the settings file")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help=f"settings file (default {DEFAULT_CONFIG})")
    parser.add_argument("--windowed", action="store_true", help="a window instead of full screen (set-up, testing)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.settings import SettingsError, load_settings, settings_from_environment

    try:
        if args.config == DEFAULT_CONFIG and not args.config.exists():
            settings = settings_from_environment(os.environ)  # installed by systemd/install.sh: env file only
        else:
            settings = load_settings(args.config)
    except SettingsError as exc:
        print(json.dumps({"error": "bad_settings", "problems": exc.problems}, ensure_ascii=False), file=sys.stderr)
        return 2
    from kiosk.runtime.root import run_kiosk

    return run_kiosk(settings, windowed=args.windowed)
