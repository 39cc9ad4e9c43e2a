"""Colours and type sizes of the kiosk: a calm hospital palette, a high-contrast one, and a large-text scale.

Sizes are pixels for a 1080×1920 portrait panel (~21.5", ~100 dpi): 15 mm is about 60 px, so every touch target
is at least 120 px tall.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    success: RGBA
    scale: float = 1.0

    def size(self, base: float) -> float:
        return base * self.scale


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
    success=_hex("#0B6E4F"),
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
    success=_hex("#FFFF00"),
)


def theme_for(high_contrast: bool, large_text: bool) -> Theme:
    base = HIGH_CONTRAST if high_contrast else STANDARD
    if not large_text:
        return base
    from dataclasses import replace

    return replace(base, scale=1.3)


# The theme in use; set once by the composition root before the first screen is built.
current: Theme = STANDARD


def use(theme: Theme) -> None:
    global current
    current = theme
