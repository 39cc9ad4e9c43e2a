"""The hub did not answer: try again (a ticket order keeps its idempotency key) or go to the desk. Also the printer
found not ready before the number is taken: the number on screen instead, or the desk."""

from __future__ import annotations

from kiosk.flow.events import Cancel, ChooseDesk, Confirm, TryAgain
from kiosk.flow.state import Session, Step
from kiosk.screens.base import KioskScreen, load_kv

load_kv(__file__)


class FailedScreen(KioskScreen):
    NAME = "failed"

    printer_not_ready = False

    def render(self, session: Session) -> None:
        self.printer_not_ready = session.step == Step.PRINTER_NOT_READY
        self.ids.title.text = self.t("ticket.printer_not_ready_title" if self.printer_not_ready else "failed.title")
        self.ids.message.text = self.t(session.notice_key or "hub.unavailable")
        self.ids.again.text = self.t("ticket.show_on_screen" if self.printer_not_ready else "app.try_again")
        self.ids.desk.text = self.t("app.go_to_desk")
        self.ids.cancel.text = self.t("app.cancel")

    def again(self) -> None:
        self.send(Confirm() if self.printer_not_ready else TryAgain())

    def desk(self) -> None:
        self.send(ChooseDesk())

    def cancel(self) -> None:
        self.send(Cancel())
