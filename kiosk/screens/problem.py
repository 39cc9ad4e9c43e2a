"""The card cannot be used for BHYT today: pay for the visit, or go to the desk (with a slip)."""

from __future__ import annotations

from kiosk.domain.ticket import VisitType
from kiosk.flow.events import Cancel, ChooseDesk, ChooseVisit
from kiosk.flow.state import Session
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.widgets import patient_line

load_kv(__file__)


class ProblemScreen(KioskScreen):
    NAME = "problem"

    def render(self, session: Session) -> None:
        self.ids.title.text = self.t("entitlement.problem_title")
        self.ids.patient.text = patient_line(session)
        self.ids.message.text = self.t(session.notice_key or "entitlement.unknown_result")
        self.ids.fee.text = self.t("visit.fee")
        self.ids.desk.text = self.t("app.go_to_desk")
        self.ids.cancel.text = self.t("app.cancel")

    def fee(self) -> None:
        self.send(ChooseVisit(VisitType.FEE))

    def desk(self) -> None:
        self.send(ChooseDesk())

    def cancel(self) -> None:
        self.send(Cancel())
