"""Large text on every screen of the real Kivy kiosk (offscreen SDL): nothing clipped, text ≥ 2× body and ≥ 4.8 mm
capitals, touch targets ≥ 15 mm, and the large-text and high-contrast controls on every screen — and they work.

One Kivy app per process, so this module is one app: every step of the flow rendered in turn (plus the idle
warning), screenshots saved (KIOSK_SHOTS=DIR keeps them), then the controls tapped.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat

from kiosk.app import build_app, prepare_kivy, run_app
from kiosk.flow.events import Cancel, StartCheckIn
from kiosk.flow.fakes import FakeHis, FakePrinter
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig
from tests.speech.sessions import session_at

pytestmark = pytest.mark.ui
SIZE = (1080, 1920)


def test_every_screen_in_large_text_fits_and_reads(tmp_path: Path) -> None:
    prepare_kivy(SIZE, headless=True)
    from kiosk.screens import theme

    theme.use(theme.theme_for(large_text=True))
    service = FlowService(FlowConfig("Bệnh viện Đa khoa Demo"), FakeHis(), FakePrinter())
    app = build_app(service, monotonic=time.monotonic)
    shots = Path(os.environ.get("KIOSK_SHOTS") or tmp_path)
    seen = asyncio.run(run_app(app, service, lambda: _walk(app, service, shots)))
    assert seen >= {"home", "identify", "busy", "visit", "department", "confirm", "ticket", "desk", "benefit"}
    assert seen >= {"problem", "failed", "maintenance_pin", "maintenance", "idle"}


def _inside(inner: tuple[float, float, float, float], outer: tuple[float, float, float, float]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox - 1 and y >= oy - 1 and x + w <= ox + ow + 1 and y + h <= oy + oh + 1


def _box(widget: Any) -> tuple[float, float, float, float]:
    x, y = widget.to_window(*widget.pos)
    return (x, y, float(widget.width), float(widget.height))


def check_screen(root: Any, name: str) -> list[str]:
    """What is wrong on the screen shown now (empty: nothing)."""
    from kivy.uix.label import Label
    from kivy.uix.scrollview import ScrollView

    from kiosk.screens import theme
    from kiosk.screens.pilot import walk

    t, problems = theme.current, []
    width, height = root.get_root_window().size
    window = (0.0, 0.0, float(width), float(height))
    screen = root.ids.screens.current_screen
    shown = [root.ids.language, root.ids.large_text, root.ids.high_contrast]
    for control in shown[1:]:
        if control.get_root_window() is None or control.opacity < 1 or not _inside(_box(control), window):
            problems.append(f"{name}: the {control.uid} display control is not on screen")
    overlay = [root.idle] if root.idle.parent is not None else []
    for widget in [w for top in (screen, *shown, *overlay) for w in walk(top)]:
        if not isinstance(widget, Label) or not widget.text.strip() or widget.opacity == 0:
            continue
        label, box = widget.text.splitlines()[0][:30], _box(widget)
        cap_mm = t.mm(widget.font_size * theme.CAP_HEIGHT)
        if cap_mm < theme.MIN_CAP_MM:
            problems.append(f"{name}: {label!r} capitals {cap_mm:.1f} mm")
        in_content = widget in walk(screen) or widget in walk(root.idle)
        if t.large_text and in_content and widget.font_size < 2 * theme.BODY_PX * t.layout - 0.5:
            problems.append(f"{name}: {label!r} at {widget.font_size:.0f} px is not large text")
        tw, th = widget.texture_size
        if th > widget.height + 2 or tw > widget.width + 2:
            problems.append(
                f"{name}: {label!r} clipped: text {tw:.0f}×{th:.0f} in {widget.width:.0f}×{widget.height:.0f}"
            )
        if widget.text_size[0] and not widget.markup:
            width = widget.text_size[0]
            broken = [w for w in widget.text.split() if widget._label.get_extents(w)[0] > width + 1]
            if broken:
                problems.append(f"{name}: {label!r} breaks inside the word {broken[0]!r}")
        scrolled = any(isinstance(a, ScrollView) for a in _ancestors(widget))
        if not scrolled and not _inside(box, _box(widget.parent) if widget.parent is not screen else window):
            problems.append(f"{name}: {label!r} overflows its parent")
        area = _box(screen) if in_content and widget not in walk(root.idle) else window
        if not scrolled and not _inside(box, area):
            problems.append(f"{name}: {label!r} is outside its screen area {box} / {area}")
        if hasattr(widget, "bg") and theme.contrast(tuple(widget.color), tuple(widget.bg)) < 4.5:
            problems.append(f"{name}: {label!r} reads at {theme.contrast(tuple(widget.color), tuple(widget.bg)):.1f}:1")
        button = hasattr(widget, "trigger_action") and not widget.disabled
        if button and min(t.mm(widget.width), t.mm(widget.height)) < theme.MIN_TARGET_MM:
            problems.append(f"{name}: {label!r} target {t.mm(widget.width):.0f}×{t.mm(widget.height):.0f} mm")
    return problems


def _ancestors(widget: Any) -> list[Any]:
    found = []
    while widget.parent is not None and widget.parent is not widget:
        widget = widget.parent
        found.append(widget)
    return found


async def walk_every_screen(app: Any, shots: Path, prefix: str) -> tuple[set[str], list[str]]:
    """Every step of the flow rendered in turn, then the idle warning: the screens seen and what is wrong."""
    from kiosk.screens.pilot import frames, screenshot
    from kiosk.screens.root import SCREEN_FOR_STEP

    await frames(12)
    seen: set[str] = set()
    problems: list[str] = []
    for step in Step:
        session = session_at(step)
        if step == Step.MAINTENANCE_PIN:
            session = replace(session, typed="12")
        app.root.render(session, time.monotonic())
        await frames(3)
        name = f"{step.value}-{SCREEN_FOR_STEP[step]}"
        problems += check_screen(app.root, name)
        seen.add(SCREEN_FOR_STEP[step])
        screenshot(app.root, shots / f"{prefix}-{name}.png")
    warned = replace(session_at(Step.CONFIRM), idle_warning_since=time.monotonic())
    app.root.render(warned, time.monotonic())
    await frames(3)
    problems += check_screen(app.root, "idle")
    seen.add("idle")
    screenshot(app.root, shots / f"{prefix}-idle.png")
    return seen, problems


async def _walk(app: Any, service: FlowService, shots: Path) -> set[str]:
    from kiosk.screens import theme
    from kiosk.screens.pilot import frames, screenshot, tap_widget

    seen, problems = await walk_every_screen(app, shots, "large")
    assert problems == [], "\n".join(problems)

    # The controls work: high contrast on, large text off; the next patient gets the kiosk's own display back.
    app.root.render(service.session, time.monotonic())
    await frames(3)
    tap_widget(app.root.ids.high_contrast)
    await frames(3)
    assert theme.current.high_contrast
    assert theme.current.large_text
    dark = screenshot(app.root, shots / "toggled-high-contrast.png")
    with Image.open(dark) as image:
        assert ImageStat.Stat(image.convert("L")).mean[0] < 100
    tap_widget(app.root.ids.large_text)
    await frames(3)
    assert theme.current.high_contrast
    assert not theme.current.large_text
    assert app.root.ids.screens.current_screen.ids.welcome.font_size == pytest.approx(110)
    assert check_screen(app.root, "home, high contrast, standard text") == []
    service.dispatch(StartCheckIn())
    service.dispatch(Cancel())  # the patient leaves
    await frames(3)
    assert theme.current.large_text
    assert not theme.current.high_contrast
    return seen
