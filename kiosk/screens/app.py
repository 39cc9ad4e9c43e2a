"""The Kivy app over a flow service: renders every session change, ticks the idle countdown and the status strip,
refreshes the camera preview, lets the patient switch large text or high contrast, and carries the tactile keypad.

Import it only after `kiosk.app.prepare_kivy` (it imports Kivy, which reads its environment on first import).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kivy.app import App
from kivy.clock import Clock

from kiosk.app import give_back_freed_memory
from kiosk.flow.state import Step
from kiosk.screens import theme
from kiosk.screens.root import KioskRoot
from kiosk.screens.tactile import TactileKeypad

if TYPE_CHECKING:
    from kiosk.flow.service import FlowService
    from kiosk.flow.state import Session
    from kiosk.speech.guide import SpeechGuide

Preview = Callable[[], "tuple[int, int, bytes] | None"]  # the camera's latest frame: (width, height, RGB bytes)
DeviceHealth = Callable[[], "tuple[bool, bool]"]  # (chip reader working, camera working)


class KioskApp(App):  # type: ignore[misc]
    title = "Kiosk"

    def __init__(
        self,
        service: FlowService,
        *,
        monotonic: Callable[[], float],
        preview: Preview | None = None,
        devices: DeviceHealth | None = None,
        guide: SpeechGuide | None = None,
    ) -> None:
        """`preview` gives the camera's latest frame, `devices` whether the reader and the camera work (for the
        status strip); with a `guide` (the voice) the tactile keypad drives the flow too."""
        super().__init__()
        self.service, self._monotonic = service, monotonic
        self._preview, self._devices = preview, devices
        self.keypad = TactileKeypad(service, guide) if guide is not None else None
        self.own_theme = theme.current
        self.generation = service.session.generation

    def build(self) -> KioskRoot:
        self.own_theme = theme.current  # the kiosk's configured display; each patient starts with it
        self.generation = self.service.session.generation
        self.root = root = self._new_root()
        self.service.subscribe(self._show)
        self._show(self.service.session)
        # The idle countdown changes every second without the session changing.
        Clock.schedule_interval(lambda _dt: self._countdown(self.root), 1.0)
        if self._preview is not None:
            preview = self._preview
            Clock.schedule_interval(lambda _dt: self.root.refresh_preview(preview()), 1 / 5)
        if self.keypad is not None:
            self.keypad.bind(root)
        return root

    def _new_root(self) -> KioskRoot:
        config = self.service.config
        root = KioskRoot(
            send=self.service.dispatch,
            hospital_name=config.hospital_name,
            warning_s=config.warning_s,
            kiosk_name=config.kiosk_name,
        )
        root.display_toggle = self.toggle_display
        return root

    def toggle_display(self, mode: str) -> None:
        """Large text or high contrast switched by the patient (the control on every screen)."""
        now = theme.current
        self._use(theme.toggled(now, **{mode: not getattr(now, mode)}))

    def _use(self, display: theme.Theme) -> None:
        # Every .kv rule reads the theme when its widget is made: a new frame over the same session.
        theme.use(display)
        old, new = self.root, self._new_root()
        new.devices = old.devices
        window = old.parent
        window.remove_widget(old)
        window.add_widget(new)
        self.root = new
        if self.keypad is not None:
            self.keypad.root = new
        self._show(self.service.session)

    def _show(self, session: Session) -> None:
        if session.generation != self.generation:
            self.generation = session.generation
            Clock.schedule_once(lambda _dt: give_back_freed_memory(), 1.0)  # the last patient's session is gone
            if theme.current != self.own_theme and self.root.parent is not None:
                self._use(self.own_theme)  # the next patient gets the kiosk's own display back
                return
        root = self.root
        root.devices.printer, root.devices.network = self.service.printer_ok, self.service.hub_ok
        root.render(session, self._monotonic())
        if self.keypad is not None:
            self.keypad.shown(session)

    def _countdown(self, root: KioskRoot) -> None:
        board, service = root.devices, self.service
        before = (board.reader, board.camera, board.printer, board.network)
        if self._devices is not None:
            board.reader, board.camera = self._devices()
        board.printer, board.network = service.printer_ok, service.hub_ok
        changed = before != (board.reader, board.camera, board.printer, board.network)
        warned = service.session.idle_warning_since
        if changed or warned is not None or service.session.step == Step.PAYING:  # the payment's countdown
            root.render(service.session, self._monotonic())
        if warned is not None and self.keypad is not None:
            self.keypad.countdown(service.config.warning_s - (self._monotonic() - warned))

    def on_stop(self) -> None:
        if self.keypad is not None:
            self.keypad.close()
