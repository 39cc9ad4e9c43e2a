"""The panel the kiosk draws on: which SDL video driver opens it, its size and rotation, and a clear answer when it
cannot be opened (before Kivy, which otherwise ends the process with code 102 and no word, or falls back to a
window nobody sees).

Kivy 2.3.1's wheel bundles SDL 2 with the `kmsdrm`, `x11` and `offscreen` drivers and no `wayland`: under a Wayland
compositor (weston's kiosk-shell, cage) the kiosk runs through Xwayland, as an X11 client. The driver is asked
directly (SDL_VideoInit through ctypes, on the very library Kivy loads) for the display's mode and any error.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import importlib.util
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kiosk.settings import ScreenSettings

PANEL_DRIVERS = ("kmsdrm", "x11")  # drivers that light a panel; "offscreen" draws into memory only


@dataclass(frozen=True)
class Panel:
    """The panel as the kiosk lays it out: `size` after rotation (portrait 1080×1920 on a landscape panel turned
    by 90°), `window` in the display's own pixels (what the window is opened with)."""

    driver: str
    size: tuple[int, int]
    rotation: int
    orientation: str  # from the settings: auto, portrait or landscape
    why: str  # how the driver was chosen, for the log and `kiosk config check`

    @property
    def window(self) -> tuple[int, int]:
        return _rotated(self.size, self.rotation)

    @property
    def landscape(self) -> bool:
        if self.orientation != "auto":
            return self.orientation == "landscape"
        return self.size[0] > self.size[1]

    @property
    def lights_a_panel(self) -> bool:
        return self.driver in PANEL_DRIVERS


class PanelUnavailableError(Exception):
    """The panel cannot be opened with this driver; `reason` says what SDL (or the system) answered."""

    def __init__(self, driver: str, reason: str) -> None:
        super().__init__(f"{driver}: {reason}")
        self.driver, self.reason = driver, reason

    def log_line(self) -> str:
        """One line for the journal, Vietnamese then English: a person reads it at the kiosk's console."""
        return (
            f"Không mở được màn hình (trình điều khiển {self.driver}) / cannot open the panel with video driver "
            f"{self.driver}: {self.reason}"
        )


def open_window(driver: str) -> None:
    """Create Kivy's window now (Kivy does it at the first import of its window module); raise
    PanelUnavailableError with Kivy's own reason when no window could be made. Call after `prepare_kivy`."""
    said: list[str] = []

    class Heard(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.CRITICAL:
                said.append(record.getMessage())

    kivy_log = logging.getLogger("kivy")
    heard = Heard()
    kivy_log.addHandler(heard)
    try:
        from kivy.core.window import Window
    finally:
        kivy_log.removeHandler(heard)
    if Window is None:
        # Kivy's message: a sentence, then "sdl2 - RuntimeError: <SDL's reason>" and a traceback: keep the reason.
        reasons = [line for text in said for line in text.splitlines() if line.startswith("sdl2 - ")]
        raise PanelUnavailableError(driver, reasons[0].removeprefix("sdl2 - ") if reasons else "no window")


def choose_driver(configured: str, env: Mapping[str, str]) -> tuple[str, str]:
    """The driver to use and why. `auto`: x11 when DISPLAY names an X server (a kiosk session under a compositor,
    through Xwayland), else kmsdrm. Never offscreen unless the settings say so."""
    if configured != "auto":
        return configured, "screen.video_driver in the settings file"
    if env.get("DISPLAY"):
        return "x11", f"auto: DISPLAY={env['DISPLAY']}"
    if env.get("WAYLAND_DISPLAY"):
        return "x11", "auto: WAYLAND_DISPLAY is set but DISPLAY is not: start the compositor with Xwayland"
    return "kmsdrm", "auto: no DISPLAY"


def plan_panel(screen: ScreenSettings, env: Mapping[str, str] = os.environ) -> Panel:
    """Choose the driver, open it once to read the display's mode, and lay the kiosk out on it (settings override
    the size). Raises PanelUnavailableError when the driver cannot open a display."""
    driver, why = choose_driver(screen.video_driver, env)
    # Memory has no mode of its own (SDL's offscreen says 1024×768): the configured or the standard size.
    mode = display_mode(driver, env) if driver != "offscreen" else (0, 0)
    size = screen.size if screen.width is not None or mode == (0, 0) else _rotated(mode, screen.rotation)
    return Panel(driver, size, screen.rotation, screen.orientation, why)


def _rotated(size: tuple[int, int], rotation: int) -> tuple[int, int]:
    return (size[1], size[0]) if rotation in (90, 270) else size


class _DisplayMode(ctypes.Structure):
    _fields_ = [
        ("format", ctypes.c_uint32),
        ("w", ctypes.c_int),
        ("h", ctypes.c_int),
        ("refresh_rate", ctypes.c_int),
        ("driverdata", ctypes.c_void_p),
    ]


def display_mode(driver: str, env: Mapping[str, str] = os.environ) -> tuple[int, int]:
    """The first display's mode through SDL's `driver`; PanelUnavailableError with SDL's reason and what to check."""
    sdl = _sdl()
    if sdl is None:
        return (0, 0)  # no SDL library found beside Kivy: Kivy itself will say whether the window opens
    if sdl.SDL_VideoInit(driver.encode()) != 0:
        raise PanelUnavailableError(driver, f"{sdl.SDL_GetError().decode(errors='replace')}; {_hint(driver, env)}")
    try:
        mode = _DisplayMode()
        if sdl.SDL_GetDesktopDisplayMode(0, ctypes.byref(mode)) != 0:
            raise PanelUnavailableError(driver, f"no display: {sdl.SDL_GetError().decode(errors='replace')}")
        return (mode.w, mode.h)
    finally:
        sdl.SDL_VideoQuit()


def _hint(driver: str, env: Mapping[str, str]) -> str:
    if driver == "x11":
        shown = env.get("DISPLAY")
        return f"is the X server on DISPLAY={shown} running?" if shown else "DISPLAY is not set"
    if driver == "kmsdrm":
        cards = sorted(glob.glob("/dev/dri/card*"))
        if not cards:
            return "no /dev/dri/card* (no DRM driver for this display)"
        closed = [card for card in cards if not os.access(card, os.R_OK | os.W_OK)]
        if closed:
            return f"no access to {', '.join(closed)} (the kiosk user needs the groups video and render)"
        return f"{', '.join(cards)} present: is another program (a desktop, getty on the panel's VT) holding it?"
    return "this Kivy's SDL has the drivers kmsdrm, x11 and offscreen"


def _sdl() -> ctypes.CDLL | None:
    """The SDL 2 library Kivy's window uses: the one bundled in Kivy's wheel (`Kivy.libs`), else the system's."""
    spec = importlib.util.find_spec("kivy")  # not imported: Kivy reads its environment once, at import
    candidates: list[str] = []
    if spec is not None and spec.submodule_search_locations:
        site = Path(next(iter(spec.submodule_search_locations))).parent
        candidates = sorted(glob.glob(str(site / "Kivy.libs" / "libSDL2-2*")))
    name = candidates[0] if candidates else ctypes.util.find_library("SDL2-2.0")
    if name is None:
        return None
    sdl = ctypes.CDLL(name)
    sdl.SDL_GetError.restype = ctypes.c_char_p
    sdl.SDL_VideoInit.argtypes = [ctypes.c_char_p]
    return sdl
