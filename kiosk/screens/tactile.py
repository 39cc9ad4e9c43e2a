"""The tactile keypad in the running kiosk: the window's keys go through the speech guide to the flow, exactly as
touches would; the focus ring follows the guide's focused choice; headphones plugged in switch speech on (the
composition root's jack watcher calls `headphones_changed`).

`KioskApp` makes one of these when the kiosk has a voice. It starts no device watcher itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.clock import Clock
from kivy.core.window import Window

from kiosk.speech.guide import SpeechGuide

if TYPE_CHECKING:
    from kiosk.flow.service import FlowService
    from kiosk.flow.state import Session
    from kiosk.screens.root import KioskRoot

FOCUS_REFRESH_S = 1 / 15  # the ring follows layout changes (a list that arrives, a scroll) within a frame or four


class TactileKeypad:
    def __init__(self, service: FlowService, guide: SpeechGuide) -> None:
        self.service, self.guide = service, guide
        self.root: KioskRoot | None = None
        self.presses = 0  # keys of the tactile keypad pressed since start (the benchmark counts a check-in)
        self._keyed_generation = -1  # the patient who used the keypad: their screens show the ring

    def bind(self, root: KioskRoot) -> None:
        self.root = root
        Window.bind(on_key_down=self._key_down)
        Clock.schedule_interval(lambda _dt: self.refresh_focus(), FOCUS_REFRESH_S)

    def shown(self, session: Session) -> None:
        """After every render: the voice follows the screen, the ring its focus."""
        self.guide.show(session)
        self.refresh_focus()

    def countdown(self, seconds_left: float) -> None:
        self.guide.countdown(self.service.session, seconds_left)

    def close(self) -> None:
        Window.unbind(on_key_down=self._key_down)
        self.guide.voice.stop()

    def headphones_changed(self, connected: bool) -> None:
        """Called on the jack watcher's own thread: the change is handed to Kivy's (and the flow's) thread."""
        Clock.schedule_once(lambda _dt: self.guide.headphones(connected, self.service.session))

    def _key_down(self, _window: object, key: int, *_args: object) -> bool:
        if self.guide.keypad.translate(key) is None:
            return False  # not a keypad key: leave it to Kivy
        self.presses += 1
        for event in self.guide.key_down(key, self.service.session):
            self.service.dispatch(event)
        self._keyed_generation = self.service.session.generation
        self.refresh_focus()
        return True

    def refresh_focus(self) -> None:
        if self.root is None:
            return
        choice = self.guide.focused
        keyed = self.guide.speaking_mode or self._keyed_generation == self.service.session.generation
        self.root.show_focus(choice.id if choice is not None and keyed else None)
