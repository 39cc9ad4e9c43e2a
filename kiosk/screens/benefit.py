"""Benefit lookup: level and percent, validity, registered facility (here or not), the 5-year date, what next."""

from __future__ import annotations

from datetime import date

from kiosk.domain.entitlement import EntitlementAction
from kiosk.flow.events import Cancel
from kiosk.flow.state import Session
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.widgets import patient_line

load_kv(__file__)
# Loaded for its ConfirmRow rule.
load_kv(__file__.replace("benefit.py", "confirm.py"))


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


class BenefitScreen(KioskScreen):
    NAME = "benefit"

    def render(self, session: Session) -> None:
        ids, answer = self.ids, session.entitlement
        ids.title.text = self.t("benefit.title")
        ids.patient.text = patient_line(session)
        ids.verdict.text = self.t(session.notice_key or (answer.message_key if answer else "entitlement.no_card"))
        ids.finish.text = self.t("app.finish")
        rows = (ids.level, ids.validity, ids.facility, ids.five_years)
        for row in rows:
            row.label, row.value = "", ""
        if answer is None:
            return
        ids.level.label = self.t("benefit.level")
        if answer.benefit_percent is not None:
            percent = self.t("benefit.percent", percent=answer.benefit_percent)
            ids.level.value = f"{answer.benefit_level or ''} · {percent}".strip(" ·")
        ids.validity.label = self.t("benefit.validity")
        ids.validity.value = f"{_day(answer.valid_from)} – {_day(answer.valid_to)}"
        ids.facility.label = self.t("benefit.facility")
        here = {True: self.t("benefit.here"), False: self.t("benefit.elsewhere"), None: ""}[answer.registered_here]
        ids.facility.value = " · ".join(p for p in (answer.registered_facility_name, here) if p)
        ids.five_years.label = self.t("benefit.five_years")
        ids.five_years.value = _day(answer.five_year_date)
        usable = answer.action in (EntitlementAction.PROCEED, EntitlementAction.USE_NEW_CARD) and answer.valid_today
        ids.next_step.text = self.t("benefit.next") if usable else ""

    def finish(self) -> None:
        self.send(Cancel())
