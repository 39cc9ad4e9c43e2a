"""The focus ring: a thick two-tone frame around the choice the tactile keypad is on (from `SpeechGuide.focused`).

Black outside, yellow inside: the black half stands out on the calm light theme, the yellow half on the black
high-contrast theme, so one ring works on both (WCAG 1.4.11 asks ≥ 3:1 for a focus indicator; `theme.contrast`).
"""

from __future__ import annotations

from kivy.graphics import Color, Line
from kivy.uix.widget import Widget

from kiosk.screens.theme import RING_INNER, RING_OUTER

OUTER_W, INNER_W = 6.0, 5.0  # Kivy line widths (px either side of the path)
OUTER_GAP, INNER_GAP = 16.0, 6.0  # from the button's edge: outside it, so its own colours and text stay as they are


class FocusFrame(Widget):  # type: ignore[misc]
    """Drawn over the screens in window coordinates; `frame(None)` hides it."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.size_hint = (None, None)
        self.box: tuple[float, float, float, float] | None = None
        with self.canvas:
            self._outer_colour = Color(*RING_OUTER)
            self._outer = Line(width=OUTER_W)
            self._inner_colour = Color(*RING_INNER)
            self._inner = Line(width=INNER_W)
        self.frame(None)

    def frame(self, target: Widget | None) -> None:
        box = None
        if target is not None and target.get_root_window() is not None and target.opacity > 0:
            x, y = target.to_window(*target.pos)
            box = (x, y, float(target.width), float(target.height))
        if box == self.box:
            return
        self.box = box
        alpha = 1.0 if box is not None else 0.0
        self._outer_colour.a = self._inner_colour.a = alpha
        if box is None:
            return
        x, y, w, h = box
        out, inner = OUTER_GAP, INNER_GAP
        self._outer.rectangle = (x - out, y - out, w + 2 * out, h + 2 * out)
        self._inner.rectangle = (x - inner, y - inner, w + 2 * inner, h + 2 * inner)
        self.pos, self.size = (x - out, y - out), (w + 2 * out, h + 2 * out)
