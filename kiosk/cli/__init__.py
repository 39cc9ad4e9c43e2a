"""The `kiosk` command for hospital IT and scripts.

Each sub-command lives in its own module in this package and exposes `register(subparsers)`; modules are found
by name, so adding a command touches no shared file. Handlers return the process exit code.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence

Handler = Callable[[argparse.Namespace], int]


def settings_file_option(parser: argparse.ArgumentParser) -> None:
    """`--config FILE`: the kiosk's one settings file, /etc/vn-hospital-kiosk/kiosk.toml unless told."""
    from pathlib import Path

    from kiosk.settings import DEFAULT_SETTINGS_FILE

    parser.add_argument(
        "--config", type=Path, default=DEFAULT_SETTINGS_FILE, help=f"settings file (default {DEFAULT_SETTINGS_FILE})"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Self-service hospital kiosk")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
