"""Drives the kiosk like a patient would, for tests and the scripted demo: taps in window coordinates, waits for
frames, saves what the screen shows (the idea of Textual's pilot)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

from kivy.base import EventLoop
from kivy.tests.common import UnitTestTouch
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

FRAME_S = 1 / 30


async def frames(count: int = 3) -> None:
    """Let Kivy draw: the first frame comes ~0.3 s after start, later ones every 1/60 s."""
    for _ in range(count):
        await asyncio.sleep(FRAME_S)


def walk(widget: Widget) -> Iterator[Widget]:
    yield widget
    for child in widget.children:
        yield from walk(child)


def texts(root: Widget) -> list[str]:
    """Every visible label's text, top to bottom (what a patient can read)."""
    labels = [w for w in walk(root) if isinstance(w, Label) and w.text and w.opacity > 0]
    return [w.text for w in sorted(labels, key=lambda w: -w.to_window(*w.pos)[1])]


def find_button(root: Widget, text: str) -> Widget:
    """The visible, enabled widget whose label contains `text` (buttons are labels here)."""
    for widget in walk(root):
        shown = isinstance(widget, Label) and widget.opacity > 0 and not widget.disabled
        if shown and text in widget.text and hasattr(widget, "trigger_action"):
            return widget
    raise LookupError(f"no button showing {text!r}")


def tap_widget(widget: Widget) -> None:
    x, y = widget.to_window(*widget.center)
    window = EventLoop.window
    touch = UnitTestTouch(x, y)
    if not (0 <= x < window.width and 0 <= y < window.height):
        raise LookupError(f"tap outside the window at {(x, y)}")
    touch.touch_down()
    touch.touch_up()


def bring_into_view(widget: Widget) -> bool:
    """Scroll the column a widget is in (large text taller than the panel) so it can be touched; True if scrolled."""
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):
            before = parent.scroll_y
            parent.scroll_to(widget, padding=20, animate=False)
            return bool(parent.scroll_y != before)
        parent = parent.parent
    return False


async def tap(root: Widget, text: str) -> None:
    widget = find_button(root, text)
    if bring_into_view(widget):
        await frames(2)  # as a patient scrolls before touching
    tap_widget(widget)
    await frames(2)


def screenshot(root: Widget, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    root.export_to_png(str(path))
    return path
