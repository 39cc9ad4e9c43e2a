"""The hub did not answer: try again (a ticket order keeps its idempotency key) or go to the desk."""

from __future__ import annotations

from kiosk.flow.events import Cancel, ChooseDesk, TryAgain
from kiosk.flow.state import Session
from kiosk.screens.base import KioskScreen, load_kv

load_kv(__file__)


class FailedScreen(KioskScreen):
    NAME = "failed"

    def render(self, session: Session) -> None:
        self.ids.title.text = self.t("failed.title")
        self.ids.message.text = self.t(session.notice_key or "hub.unavailable")
        self.ids.again.text = self.t("app.try_again")
        self.ids.desk.text = self.t("app.go_to_desk")
        self.ids.cancel.text = self.t("app.cancel")

    def again(self) -> None:
        self.send(TryAgain())

    def desk(self) -> None:
        self.send(ChooseDesk())

    def cancel(self) -> None:
        self.send(Cancel())
