"""BHYT or fee-paying: BHYT only when the gateway's answer allows it today."""

from __future__ import annotations

from kiosk.domain.ticket import VisitType
from kiosk.flow.events import Cancel, ChooseDesk, ChooseVisit
from kiosk.flow.state import Session
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.widgets import patient_line

load_kv(__file__)


class VisitScreen(KioskScreen):
    NAME = "visit"

    def render(self, session: Session) -> None:
        answer = session.entitlement
        self.ids.title.text = self.t("visit.title")
        self.ids.patient.text = patient_line(session)
        self.ids.card.text = self.t(answer.message_key) if answer else ""
        self.ids.note.text = self.t("visit.recheck") if answer and answer.to_recheck else ""
        allowed = session.bhyt_allowed
        self.ids.bhyt.text = self.t("visit.bhyt") if allowed else self.t("visit.bhyt_unavailable")
        self.ids.bhyt.disabled = not allowed
        self.ids.bhyt.opacity = 1 if allowed else 0.4
        self.ids.fee.text = self.t("visit.fee")
        self.ids.desk.text = self.t("app.go_to_desk")
        self.ids.cancel.text = self.t("app.cancel")

    def bhyt(self) -> None:
        self.send(ChooseVisit(VisitType.BHYT))

    def fee(self) -> None:
        self.send(ChooseVisit(VisitType.FEE))

    def desk(self) -> None:
        self.send(ChooseDesk())

    def cancel(self) -> None:
        self.send(Cancel())
