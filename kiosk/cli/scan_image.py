"""`kiosk scan-image FILE...`: decode the QR codes in photos with the kiosk's own pipeline, one JSON line per file.

For hospital IT checking why a card does not scan: `file`, `payloads` (list of strings), `kinds` (what the kiosk
takes each payload for), `ms` (decode time). Every retry runs, as the live camera does over several frames.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from kiosk.domain.payload import classify
from kiosk.hardware.camera.capture_adapter import read_image
from kiosk.hardware.camera.pipeline_adapter import build_pipeline


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("scan-image", help="decode the QR codes in image files (one JSON line per file)")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="JPEG/PNG photos of a card or screen")
    parser.set_defaults(handler=run)


def scan_file(path: Path, pipeline: Any) -> dict[str, Any]:
    frame = read_image(path) if path.is_file() else None
    if frame is None:
        return {"file": str(path), "payloads": [], "ms": 0.0, "error": "unreadable_image"}
    start = time.perf_counter()
    result = pipeline.decode(frame)
    ms = round((time.perf_counter() - start) * 1000, 1)
    payloads = [code.payload for code in result.codes]
    return {"file": str(path), "payloads": payloads, "kinds": [classify(p).kind.value for p in payloads], "ms": ms}


def run(args: argparse.Namespace) -> int:
    pipeline = build_pipeline(deadline_s=None)
    failed = False
    for path in args.files:
        line = scan_file(path, pipeline)
        failed = failed or "error" in line
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return 1 if failed else 0
