"""While the kiosk waits for the hub or the printer: what it is doing, and a spinner (touches do nothing)."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty

from kiosk.flow.records import IdentitySource
from kiosk.flow.state import Session
from kiosk.screens.base import KioskScreen, load_kv

load_kv(__file__)


class BusyScreen(KioskScreen):
    NAME = "busy"

    angle = NumericProperty(0)

    def on_enter(self) -> None:
        self._spin = Clock.schedule_interval(self._turn, 1 / 30)

    def on_leave(self) -> None:
        spin = getattr(self, "_spin", None)
        if spin is not None:
            spin.cancel()

    def _turn(self, dt: float) -> None:
        self.angle = (self.angle + 360 * dt) % 360

    def render(self, session: Session) -> None:
        self.ids.message.text = self.t(f"busy.{session.step.value}")
        chip = session.identity is not None and session.identity.source == IdentitySource.CHIP
        self.ids.hint.text = self.t("busy.keep_card") if chip else ""
