"""The kiosk's frame: hospital header with the call for help and the language switch, where a call for help
stands, the current screen, the device/network status strip, and the idle warning on top. It picks the screen for
the session's step and re-renders on every change."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from kivy.properties import BooleanProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import NoTransition
from kivy.uix.widget import Widget

from kiosk.flow.events import AskForHelp, ChooseLanguage, MoreTime, OpenMaintenance
from kiosk.flow.state import BUSY_STEPS, Session, Step
from kiosk.i18n.catalogue import translate
from kiosk.screens.base import KioskScreen, Send, load_kv
from kiosk.screens.benefit import BenefitScreen
from kiosk.screens.busy import BusyScreen
from kiosk.screens.confirm import ConfirmScreen
from kiosk.screens.department import DepartmentScreen
from kiosk.screens.desk import DeskScreen
from kiosk.screens.failed import FailedScreen
from kiosk.screens.focus import FocusFrame
from kiosk.screens.home import HomeScreen
from kiosk.screens.identify import IdentifyScreen
from kiosk.screens.maintenance import MaintenanceScreen
from kiosk.screens.maintenance_pin import MaintenancePinScreen
from kiosk.screens.payment import PaymentScreen
from kiosk.screens.problem import ProblemScreen
from kiosk.screens.ticket import TicketScreen
from kiosk.screens.visit import VisitScreen

load_kv(__file__)

SCREEN_FOR_STEP: dict[Step, str] = {
    Step.HOME: "home",
    Step.IDENTIFY: "identify",
    Step.ENTITLEMENT_PROBLEM: "problem",
    Step.VISIT_TYPE: "visit",
    Step.DEPARTMENT: "department",
    Step.CONFIRM: "confirm",
    Step.PAYING: "payment",
    Step.DONE: "ticket",
    Step.SCREEN_TICKET: "ticket",
    Step.DESK: "desk",
    Step.BENEFIT: "benefit",
    Step.HUB_FAILED: "failed",
    Step.PRINTER_NOT_READY: "failed",  # the same three choices: the number on screen, the desk, cancel
    Step.MAINTENANCE_PIN: "maintenance_pin",
    Step.MAINTENANCE: "maintenance",
    **dict.fromkeys(BUSY_STEPS, "busy"),
}
SCREENS = (
    HomeScreen,
    IdentifyScreen,
    BusyScreen,
    ProblemScreen,
    VisitScreen,
    DepartmentScreen,
    ConfirmScreen,
    PaymentScreen,
    TicketScreen,
    DeskScreen,
    BenefitScreen,
    FailedScreen,
    MaintenancePinScreen,
    MaintenanceScreen,
)
HIDDEN_TAPS = 5  # quick taps on the hospital's name open the staff screen
HIDDEN_TAPS_WITHIN_S = 3.0


@dataclass
class DeviceBoard:
    """What the status strip shows; the composition root updates it from the device workers."""

    reader: bool = True
    camera: bool = True
    printer: bool = True
    network: bool = True


class StatusDot(Label):  # type: ignore[misc]
    ok = BooleanProperty(True)


class HelpBanner(Label):  # type: ignore[misc]
    shown = BooleanProperty(False)


class IdleOverlay(FloatLayout):  # type: ignore[misc]
    def __init__(self, send: Send, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.send = send

    def more_time(self) -> None:
        self.send(MoreTime())


class KioskRoot(FloatLayout):  # type: ignore[misc]
    def __init__(
        self, send: Send, hospital_name: str, warning_s: float, kiosk_name: str = "", **kwargs: object
    ) -> None:
        super().__init__(**kwargs)
        self.send, self.warning_s = send, warning_s
        self.devices = DeviceBoard()
        self.session = Session()
        self._taps: list[float] = []
        self.ids.hospital.text = hospital_name
        self.kiosk_name = kiosk_name
        self.ids.screens.transition = NoTransition()
        self.idle = IdleOverlay(send=send)
        self.focus = FocusFrame()
        self.add_widget(self.focus)  # above the screens, below the idle warning
        self.display_toggle: Callable[[str], None] | None = None  # the app switches large text / high contrast

    def _screen(self, name: str) -> KioskScreen:
        """The screen by name, built the first time it is needed (a faster start, less memory on screens unused)."""
        manager = self.ids.screens
        if not manager.has_screen(name):
            screen_class = next(c for c in SCREENS if name == c.NAME)
            built = screen_class(send=self.send)
            built.devices = self.devices
            if isinstance(built, MaintenanceScreen):
                built.kiosk_name = self.kiosk_name
            manager.add_widget(built)
        screen: KioskScreen = manager.get_screen(name)
        return screen

    def refresh_preview(self, frame: tuple[int, int, bytes] | None) -> None:
        """Called a few times a second by the app with the camera's latest preview, while identifying."""
        if self.session.step in (Step.IDENTIFY,):
            screen = self._screen("identify")
            assert isinstance(screen, IdentifyScreen)
            screen.show_preview(frame)

    def render(self, session: Session, now: float | None = None) -> None:
        self.session = session
        lang = session.language
        self.ids.language.text = translate("app.language_switch", lang)
        self.ids.call_staff.text = translate("call_staff.button", lang)
        banner = self.ids.help_banner
        banner.shown = session.help is not None
        banner.text = translate(f"call_staff.{session.help.value}", lang) if session.help is not None else ""
        manager = self.ids.screens
        name = SCREEN_FOR_STEP[session.step]
        screen = self._screen(name)
        if isinstance(screen, PaymentScreen):
            screen.now = now  # its countdown is the flow's deadline less the flow's clock
        screen.show(session)
        if manager.current != name:
            manager.current = name
        self._render_status(lang)
        self._render_idle(session, lang, now)

    def _render_status(self, lang: str) -> None:
        board = self.devices
        for part in ("reader", "camera", "printer", "network"):
            ok = getattr(board, part)
            self.ids[part].ok = ok
            self.ids[part].text = translate(f"status.{part}_{'ok' if ok else 'fault'}", lang)

    def _render_idle(self, session: Session, lang: str, now: float | None) -> None:
        warned = session.idle_warning_since is not None
        if warned and self.idle.parent is None:
            self.add_widget(self.idle)
            self.remove_widget(self.focus)
            self.add_widget(self.focus)  # the ring stays on top, round "more time"
        elif not warned and self.idle.parent is not None:
            self.remove_widget(self.idle)
        if warned:
            since = session.idle_warning_since or 0.0
            left = max(0, round(self.warning_s - ((now if now is not None else since) - since)))
            self.idle.ids.title.text = translate("idle.title", lang)
            self.idle.ids.body.text = translate("idle.body", lang, seconds=left)
            self.idle.ids.more_time.text = translate("idle.more_time", lang)

    def focus_target(self, choice_id: str) -> Widget | None:
        if self.idle.parent is not None:
            target: Widget = self.idle.ids.more_time  # any key gives more time: the ring says so
            return target
        if choice_id == "language":
            language: Widget = self.ids.language
            return language
        if choice_id == "call_staff":
            call_staff: Widget = self.ids.call_staff
            return call_staff
        return self._screen(SCREEN_FOR_STEP[self.session.step]).focus_target(choice_id)

    def show_focus(self, choice_id: str | None) -> None:
        """Frame the keypad's focused choice (None hides the ring); called again as the layout settles."""
        self.focus.frame(self.focus_target(choice_id) if choice_id is not None else None)

    def hospital_tapped(self) -> None:
        now = time.monotonic()
        self._taps = [t for t in self._taps if now - t < HIDDEN_TAPS_WITHIN_S] + [now]
        if len(self._taps) >= HIDDEN_TAPS:
            self._taps.clear()
            self.send(OpenMaintenance())

    def toggle_large_text(self) -> None:
        if self.display_toggle is not None:
            self.display_toggle("large_text")

    def toggle_high_contrast(self) -> None:
        if self.display_toggle is not None:
            self.display_toggle("high_contrast")

    def ask_for_help(self) -> None:
        self.send(AskForHelp())

    def switch_language(self) -> None:
        self.send(ChooseLanguage("en" if self.session.language == "vi" else "vi"))
