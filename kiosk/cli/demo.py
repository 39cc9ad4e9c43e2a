"""`kiosk demo`: the kiosk on the embedded hub with simulated chip, camera and printer.

With a screen it opens the kiosk window (keys 1–6 present demo patients' cards and QR codes). With no screen, or
with `--script`, it runs the scripted walkthrough headless and saves a PNG of every screen and every ticket.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("demo", help="run the kiosk demo on the embedded hub with simulated devices")
    parser.add_argument("--script", action="store_true", help="run the scripted walkthrough headless and exit")
    parser.add_argument("--screenshots", type=Path, help="where the walkthrough saves its PNGs")
    parser.add_argument("--landscape", action="store_true", help="1920×1080 instead of portrait 1080×1920")
    parser.add_argument("--high-contrast", action="store_true", help="yellow and white on black")
    parser.add_argument("--large-text", action="store_true", help="type a quarter larger")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.app import has_display, prepare_kivy

    print(
        "DEMO — ki-ốt trình diễn: máy chủ nhúng với người bệnh giả, thiết bị mô phỏng; không dùng cho người bệnh / "
        "demo kiosk: embedded hub with made-up patients, simulated devices; not for patients",
        file=sys.stderr,
    )
    scripted = args.script or not has_display()
    shots: Path | None = args.screenshots
    if scripted and shots is None:
        shots = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    size = (1920, 1080) if args.landscape else (1080, 1920)
    prepare_kivy(size, headless=(scripted and not has_display()) or args.script)
    from kiosk.screens import theme

    theme.use(theme.theme_for(high_contrast=args.high_contrast, large_text=args.large_text, landscape=args.landscape))
    if not args.script and scripted:
        print("No display found: running the scripted walkthrough headless instead.", file=sys.stderr)
    from kiosk.demo.run import demo

    return asyncio.run(demo(scripted, shots))
