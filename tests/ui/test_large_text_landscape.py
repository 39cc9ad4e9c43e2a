"""Large text with high contrast on a landscape panel (1920×1080, 0.6 layout scale): every screen checked as in
test_large_text (nothing clipped or broken inside a word, ≥ 4.8 mm capitals, ≥ 2× body text, targets ≥ 15 mm,
the display controls on every screen). One Kivy app per process: its own module."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from kiosk.app import build_app, prepare_kivy, run_app
from kiosk.flow.fakes import FakeHis, FakePrinter
from kiosk.flow.service import FlowService
from kiosk.flow.transition import FlowConfig
from tests.ui.test_large_text import walk_every_screen

pytestmark = pytest.mark.ui
SIZE = (1920, 1080)


def test_every_screen_in_landscape_large_high_contrast_text_fits_and_reads(tmp_path: Path) -> None:
    prepare_kivy(SIZE, headless=True)
    from kiosk.screens import theme

    theme.use(theme.theme_for(high_contrast=True, large_text=True, landscape=True))
    service = FlowService(FlowConfig("Bệnh viện Đa khoa Demo"), FakeHis(), FakePrinter())
    app = build_app(service, monotonic=time.monotonic)
    shots = Path(os.environ.get("KIOSK_SHOTS") or tmp_path)

    async def walk() -> tuple[set[str], list[str]]:
        return await walk_every_screen(app, shots, "landscape-large")

    seen, problems = asyncio.run(run_app(app, service, walk))
    assert problems == [], "\n".join(problems)
    assert len(seen) >= 14
