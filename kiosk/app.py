"""Kivy set-up, building the app that renders the flow, and running both on one asyncio loop: what `kiosk run`'s
composition root (kiosk/runtime), `kiosk demo`, the UI tests and the benchmarks share.

Kivy reads its environment when first imported, so `prepare_kivy` must run before anything imports `kivy` (the
screens do). Devices and the HIS client are built by the caller and passed in as ports.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.flow.service import FlowService
    from kiosk.screens.app import DeviceHealth, KioskApp, Preview
    from kiosk.speech.guide import SpeechGuide

PORTRAIT = (1080, 1920)
_window_manager_full_screen = False  # set by prepare_kivy: the app asks again once its loop runs (full_screen_again)


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare_kivy(
    size: tuple[int, int] = PORTRAIT,
    *,
    headless: bool = False,
    driver: str | None = None,
    rotation: int = 0,
    fullscreen: bool = False,
    multisamples: int = 0,
) -> None:
    """Environment and window settings Kivy must see before its first import (it reads them once, at import).

    The SDL video driver is `driver` (what `kiosk run` chose from its settings: kiosk/panel.py), `offscreen` when
    `headless` (tests, the scripted demo), else whatever SDL picks from the environment: never a silent switch to
    offscreen, which would leave a kiosk's panel dark. Only Kivy's SDL window is allowed: its own X11 fallback
    ends the process with code 102 and no message when there is no X server.

    `multisamples` 0 by default, not Kivy's 2: anti-aliasing smooths only polygon edges (text is a texture and looks
    the same), and at 1080×1920 the multisampled colour and depth buffers cost 64 MB of RSS under a software
    renderer (measured: a bare Kivy app 201 → 137 MB) and fill rate on a Pi's GPU."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ["KIVY_WINDOW"] = "sdl2"
    if "KIVY_HOME" not in os.environ:
        os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kiosk-kivy-")
    if headless or driver is not None:
        os.environ["SDL_VIDEODRIVER"] = "offscreen" if headless else str(driver)
    from kivy.config import Config

    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "multisamples", str(multisamples))
    Config.set("graphics", "rotation", str(rotation))  # a panel mounted on its side; touches turn with it
    # 30 frames a second, not Kivy's 60: the screens have no animation, a touch is still answered within a frame
    # (33 ms), and an idle kiosk's loop costs half (idle CPU 2.8–3.0 % → 1.7–1.8 % measured by bench/checkin_e2e).
    Config.set("graphics", "maxfps", "30")
    # Under a compositor (x11 through Xwayland) its window manager sizes a full-screen window to the panel; a
    # borderless window there keeps a frame's margin (weston: 32 px short of two edges). Elsewhere not "auto":
    # without a window manager (Xvfb) it leaves 800×600, and a borderless window of the panel's exact size at the
    # origin fills the screen (KMS/DRM is full screen by itself).
    global _window_manager_full_screen
    _window_manager_full_screen = fullscreen and driver == "x11"
    Config.set("graphics", "fullscreen", "auto" if _window_manager_full_screen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "position", "custom")
    Config.set("graphics", "left", "0")
    Config.set("graphics", "top", "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
    # Touches come through SDL only: on KMS/DRM SDL reads the panel's /dev/input node itself (the kiosk user is in
    # the `input` group), under a compositor Xwayland hands them over. Kivy's default also probes /dev/input with
    # its own providers (probesysfs), which on KMS/DRM would give every tap twice.
    Config.remove_section("input")
    Config.add_section("input")
    Config.set("input", "mouse", "mouse,multitouch_on_demand")
    Config.set("kivy", "exit_on_escape", "0")


def full_screen_again() -> None:
    """Under a compositor, ask its window manager once more for a full-screen window, half a second into the app's
    loop. Asked only when the window is made, weston's window manager keeps a frame's margin round a window whose
    app runs on asyncio (measured: 1048×1888 on a 1080×1920 panel, black strips on two edges). Call after
    `prepare_kivy`, before the app runs; nothing happens elsewhere (KMS/DRM, offscreen, a window)."""
    if not _window_manager_full_screen:
        return
    from kivy.clock import Clock
    from kivy.core.window import Window

    Clock.schedule_once(lambda _dt: setattr(Window, "fullscreen", True), 0.5)


def give_back_freed_memory() -> None:
    """Return the C heap's free pages to the system (glibc's malloc_trim; elsewhere nothing).

    A session allocates and frees many buffers of mixed sizes (label textures in the renderer, HTTP, JSON); glibc
    keeps the holes, and a kiosk that served patients for a day sat ~50 MB above what it uses. Called between
    patients, never during one: it takes a few milliseconds."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    # Looked up once: find_library runs ldconfig in a child process, too slow to repeat after every patient.
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(name), "malloc_trim", None) if name is not None else None


def build_app(
    service: FlowService,
    *,
    monotonic: Callable[[], float],
    preview: Preview | None = None,
    devices: DeviceHealth | None = None,
    guide: SpeechGuide | None = None,
) -> KioskApp:
    """The Kivy app over a flow service (`kiosk.screens.app.KioskApp`); call after `prepare_kivy`, since it is the
    first import of Kivy. `guide`: the voice and the tactile keypad (a recording voice in tests)."""
    from kiosk.screens.app import KioskApp

    return KioskApp(service, monotonic=monotonic, preview=preview, devices=devices, guide=guide)


async def run_app(app: Any, service: FlowService, script: Callable[[], Any] | None = None) -> Any:
    """Run the app, the flow's clock and an optional script together; returns the script's result."""
    full_screen_again()
    ticker = asyncio.ensure_future(service.tick_forever())
    result: Any = None

    async def scripted() -> None:
        nonlocal result
        try:
            result = await script() if script is not None else None
        finally:
            app.stop()

    driver = asyncio.ensure_future(scripted()) if script is not None else None
    try:
        await app.async_run(async_lib="asyncio")
    finally:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
        if driver is not None:
            if not driver.done():
                driver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await driver
            if driver.exception() is not None and not driver.cancelled():
                raise driver.exception()  # type: ignore[misc]
    return result
