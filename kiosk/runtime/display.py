"""What the panel is doing, for the heartbeat: the driver and size it was opened with, and how many frames were
drawn in the last minute. Kivy draws only when something changed, so the kiosk asks for one frame every few
seconds: a panel that drew nothing for a minute is stuck, not idle."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from kiosk.panel import Panel
from kiosk.remote_config.schema import DeviceState, DisplayReport

WINDOW_S = 60.0
PROOF_OF_LIFE_S = 10.0  # one frame at least this often, whatever the screen shows


class DisplayMonitor:
    def __init__(self, panel: Panel, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.panel = panel
        self._monotonic = monotonic
        self._frames: deque[float] = deque()
        self._since = monotonic()

    def start(self) -> None:
        """Count the window's frames and ask for one every PROOF_OF_LIFE_S (call once the window exists)."""
        from kivy.clock import Clock
        from kivy.core.window import Window

        Window.bind(on_flip=lambda *_args: self.frame_drawn())
        Clock.schedule_interval(lambda _dt: Window.canvas.ask_update(), PROOF_OF_LIFE_S)

    def frame_drawn(self) -> None:
        now = self._monotonic()
        self._frames.append(now)
        self._forget_before(now - WINDOW_S)

    def _forget_before(self, oldest: float) -> None:
        while self._frames and self._frames[0] < oldest:
            self._frames.popleft()

    def report(self) -> DisplayReport:
        self._forget_before(self._monotonic() - WINDOW_S)
        width, height = self.panel.size
        return DisplayReport(
            driver=self.panel.driver, width=width, height=height, rotation=self.panel.rotation,
            frames_last_minute=len(self._frames),
        )  # fmt: skip

    def state(self) -> DeviceState:
        """ok: frames reach a panel; missing: drawing offscreen (nothing on the panel); fault: no frame for
        PROOF_OF_LIFE_S and more (unknown before the first frame is due)."""
        if not self.panel.lights_a_panel:
            return DeviceState.MISSING
        if self.report().frames_last_minute:
            return DeviceState.OK
        due = self._monotonic() - self._since > 2 * PROOF_OF_LIFE_S
        return DeviceState.FAULT if due else DeviceState.UNKNOWN
