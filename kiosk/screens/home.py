"""The welcome screen: place a card or show a QR to start; or choose check-in or a benefit lookup."""

from __future__ import annotations

from kiosk.flow.events import StartBenefitLookup, StartCheckIn
from kiosk.flow.state import Session
from kiosk.screens.base import KioskScreen, load_kv

load_kv(__file__)


class HomeScreen(KioskScreen):
    NAME = "home"

    def render(self, session: Session) -> None:
        self.ids.welcome.text = self.t("home.welcome")
        self.ids.instructions.text = self.t("home.instructions")
        self.ids.check_in.text = self.t("home.check_in")
        self.ids.lookup.text = self.t("home.benefit_lookup")
        self.ids.notice.text = self.t(session.notice_key) if session.notice_key else ""

    def start_check_in(self) -> None:
        self.send(StartCheckIn())

    def start_lookup(self) -> None:
        self.send(StartBenefitLookup())
