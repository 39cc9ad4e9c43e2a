"""Maintenance windows: when a kiosk may switch to a new release ("12:00-13:00", "17:00-23:59", in the kiosk's
local time; a window whose end is before its start runs past midnight). No window at all: any time between
patients."""

from __future__ import annotations

import re
from datetime import time

_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class BadWindowError(ValueError):
    """Not "HH:MM-HH:MM" (Vietnamese and English in the message: IT types it in the console)."""


def parse_windows(text: str) -> list[str]:
    """ "12:00-13:00, 17:00-23:59" → ["12:00-13:00", "17:00-23:59"]; raises BadWindowError."""
    windows = [part.strip() for part in text.split(",") if part.strip()]
    for window in windows:
        if not _WINDOW.match(window) or window[:5] == window[6:]:
            raise BadWindowError(f"Khung giờ không hợp lệ / not a time window (HH:MM-HH:MM): {window[:20]}")
    if len(windows) > 12:
        raise BadWindowError("Tối đa 12 khung giờ / at most 12 windows")
    return windows


def _bounds(window: str) -> tuple[time, time]:
    found = _WINDOW.match(window)
    if found is None:
        raise BadWindowError(window[:20])
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    return time(h1, m1), time(h2, m2)


def in_window(windows: list[str], now: time) -> bool:
    if not windows:
        return True
    for window in windows:
        start, end = _bounds(window)
        if (start <= now < end) if start < end else (now >= start or now < end):
            return True
    return False
