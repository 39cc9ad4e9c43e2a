"""Colours and type sizes of the kiosk: a calm hospital palette, a high-contrast one, and a large-text scale.

Sizes are pixels for a 1080×1920 portrait panel (~21.5", ~100 dpi): 15 mm is about 60 px, so every touch target
is at least 120 px tall. Text is never smaller than 4.8 mm capital height at the configured panel size (Section 508
§402.4 / ADA 703.5 for kiosk screens), whatever the layout scale; large-text mode at least doubles body text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

BODY_PX = 40  # body text (KioskLabel) at layout 1
MIN_CAP_MM = 4.8  # smallest capital height a patient has to read
MIN_TARGET_MM = 15.0  # smallest touch target
CAP_HEIGHT = 0.711  # Roboto's capital height as a fraction of its font size (1456 / 2048 units)
PANEL_PX = (1080, 1920)
DEFAULT_DIAGONAL_IN = 21.5

RGBA = tuple[float, float, float, float]


def _hex(code: str, alpha: float = 1.0) -> RGBA:
    code = code.lstrip("#")
    r, g, b = (int(code[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


@dataclass(frozen=True, slots=True)
class Theme:
    background: RGBA
    surface: RGBA
    header: RGBA
    header_text: RGBA
    text: RGBA
    muted: RGBA
    primary: RGBA
    primary_text: RGBA
    secondary: RGBA
    secondary_text: RGBA
    danger: RGBA
    accent: RGBA  # big numbers, the spinner, a chosen toggle: must stand out from the background
    accent_text: RGBA  # text on an accent-coloured button
    scale: float = 1.0  # type size: large-text mode raises it
    layout: float = 1.0  # every dimension: landscape lowers it (the panel is half as tall)
    high_contrast: bool = False
    large_text: bool = False
    landscape: bool = False
    px_per_mm: float = math.hypot(*PANEL_PX) / (DEFAULT_DIAGONAL_IN * 25.4)

    @property
    def min_font(self) -> float:
        """The smallest font size whose capitals are 4.8 mm tall on this panel."""
        return math.ceil(MIN_CAP_MM * self.px_per_mm / CAP_HEIGHT)

    @property
    def body_font(self) -> float:
        """Body text as the standard mode draws it on this panel."""
        return max(BODY_PX * self.layout, self.min_font)

    def size(self, base: float) -> float:
        """A font size: never below 4.8 mm capitals; in large-text mode at least twice the standard body text."""
        if self.large_text:
            return max(base * self.scale * self.layout, 2 * self.body_font)
        return max(base * self.layout, self.min_font)

    def chrome(self, base: float) -> float:
        """A font size in the frame (header, status strip): not enlarged by large text, which is for the content."""
        return max(base * self.layout, self.min_font)

    def mm(self, px: float) -> float:
        return px / self.px_per_mm

    def px(self, base: float) -> float:
        """A height, width, padding or spacing."""
        return base * self.layout


STANDARD = Theme(
    background=_hex("#EEF3F8"),
    surface=_hex("#FFFFFF"),
    header=_hex("#0B4F8A"),
    header_text=_hex("#FFFFFF"),
    text=_hex("#102A43"),
    muted=_hex("#486581"),
    primary=_hex("#0B6E4F"),
    primary_text=_hex("#FFFFFF"),
    secondary=_hex("#D9E6F2"),
    secondary_text=_hex("#0B4F8A"),
    danger=_hex("#B42318"),
    accent=_hex("#0B4F8A"),
    accent_text=_hex("#FFFFFF"),
)
HIGH_CONTRAST = Theme(
    background=_hex("#000000"),
    surface=_hex("#111111"),
    header=_hex("#000000"),
    header_text=_hex("#FFFF00"),
    text=_hex("#FFFFFF"),
    muted=_hex("#FFFF00"),
    primary=_hex("#FFFF00"),
    primary_text=_hex("#000000"),
    secondary=_hex("#FFFFFF"),
    secondary_text=_hex("#000000"),
    danger=_hex("#FF6B6B"),
    accent=_hex("#FFFFFF"),
    accent_text=_hex("#000000"),
)


# The keypad's focus ring (kiosk/screens/focus.py): black outside, yellow inside, one of them stands out on any theme.
RING_OUTER: RGBA = (0.0, 0.0, 0.0, 1.0)
RING_INNER: RGBA = (1.0, 0.84, 0.0, 1.0)


def _luminance(colour: RGBA) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGBA, b: RGBA) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def theme_for(
    high_contrast: bool = False,
    large_text: bool = False,
    landscape: bool = False,
    diagonal_inches: float = DEFAULT_DIAGONAL_IN,
) -> Theme:
    base = HIGH_CONTRAST if high_contrast else STANDARD
    # Landscape keeps the portrait layout at 0.6 scale: 140 px buttons become 84 px, still ≈ 21 mm on a 21.5" panel.
    return replace(
        base,
        scale=1.25 if large_text else 1.0,
        layout=0.6 if landscape else 1.0,
        high_contrast=high_contrast,
        large_text=large_text,
        landscape=landscape,
        px_per_mm=math.hypot(*PANEL_PX) / (diagonal_inches * 25.4),
    )


def toggled(theme: Theme, *, high_contrast: bool | None = None, large_text: bool | None = None) -> Theme:
    """The same panel with a display mode switched (the patient's control on every screen)."""
    return theme_for(
        theme.high_contrast if high_contrast is None else high_contrast,
        theme.large_text if large_text is None else large_text,
        theme.landscape,
        math.hypot(*PANEL_PX) / (theme.px_per_mm * 25.4),
    )


# The theme in use; set once by the composition root before the first screen is built.
current: Theme = STANDARD


def use(theme: Theme) -> None:
    global current
    current = theme
