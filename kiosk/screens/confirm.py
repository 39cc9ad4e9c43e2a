"""Check the details, declare pregnancy or disability (staff confirm it), and take a number."""

from __future__ import annotations

from kiosk.domain.dates import VN_TZ
from kiosk.domain.masking import mask_id
from kiosk.domain.priority import PriorityReason
from kiosk.domain.ticket import VisitType
from kiosk.domain.vietqr import format_vnd
from kiosk.flow.events import Back, Cancel, Confirm, ToggleDeclared
from kiosk.flow.records import CASHIER_REASONS
from kiosk.flow.state import Session
from kiosk.screens import theme
from kiosk.screens.base import KioskScreen, load_kv

load_kv(__file__)


class ConfirmScreen(KioskScreen):
    NAME = "confirm"

    def render(self, session: Session) -> None:
        ids = self.ids
        ids.title.text = self.t("confirm.title")
        patient, identity, department = session.patient, session.identity, session.department
        ids.patient.label, ids.patient.value = self.t("confirm.patient"), patient.full_name if patient else ""
        masked = (patient.id_number_masked if patient else None) or (mask_id(identity.lookup_value) if identity else "")
        ids.number.label, ids.number.value = self.t("confirm.id"), masked or ""
        ids.department.label = self.t("confirm.department")
        ids.department.value = department.name.pick(self.language) if department else ""
        ids.visit.label = self.t("confirm.visit")
        ids.visit.value = self.t("visit.bhyt" if session.visit == VisitType.BHYT else "visit.fee")
        if session.appointment is not None:  # a booking: the patient checks the time they booked, in hospital time
            starts = session.appointment.starts_at.astimezone(VN_TZ)
            booked = self.t("confirm.appointment_at", time=starts.strftime("%H:%M"), date=starts.strftime("%d/%m/%Y"))
            ids.visit.value = f"{ids.visit.value} · {booked}"
        ids.question.text = self.t("confirm.priority_question")
        for widget, reason in ((ids.pregnant, PriorityReason.PREGNANT), (ids.disability, PriorityReason.DISABILITY)):
            chosen = reason in session.declared
            mark = "• " if chosen else ""
            widget.text = mark + self.t(f"confirm.{reason.value}")
            widget.bg = theme.current.accent if chosen else theme.current.secondary
            widget.color = theme.current.accent_text if chosen else theme.current.secondary_text
        ids.fee.label, ids.fee.value = (
            (self.t("confirm.fee"), self._fee(session)) if session.visit == VisitType.FEE else ("", "")
        )
        fee = session.fee
        if session.takes_payment and fee is not None and fee.amount_vnd:
            ids.get_ticket.text = self.t("confirm.pay", amount=format_vnd(fee.amount_vnd))
        else:
            ids.get_ticket.text = self.t("confirm.get_ticket")
        ids.back.text = self.t("app.back")
        ids.cancel.text = self.t("app.cancel")

    def _fee(self, session: Session) -> str:
        """The fee before the patient commits: the amount taken here, or where it is paid."""
        fee = session.fee
        if fee is None:  # a booking's check-in: the fee is the desk's, as before
            return self.t("confirm.fee_at_cashier")
        if session.takes_payment and fee.amount_vnd:
            return format_vnd(fee.amount_vnd)
        return self.t("confirm.fee_at_cashier") if fee.reason in CASHIER_REASONS else self.t("confirm.fee_none")

    def toggle_pregnant(self) -> None:
        self.send(ToggleDeclared(PriorityReason.PREGNANT))

    def toggle_disability(self) -> None:
        self.send(ToggleDeclared(PriorityReason.DISABILITY))

    def confirm(self) -> None:
        self.send(Confirm())

    def back(self) -> None:
        self.send(Back())

    def cancel(self) -> None:
        self.send(Cancel())
