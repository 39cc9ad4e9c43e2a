"""The patient's number: printed (take it below), reprinted (already registered today), or on screen with its QR
when the printer failed."""

from __future__ import annotations

from kiosk.domain.ticket import Lane, VisitType
from kiosk.domain.vietqr import format_vnd
from kiosk.flow.events import Cancel
from kiosk.flow.records import CASHIER_REASONS
from kiosk.flow.state import Session, Step
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.widgets import patient_line, qr_texture

load_kv(__file__)


class TicketScreen(KioskScreen):
    NAME = "ticket"

    def render(self, session: Session) -> None:
        ids, ticket = self.ids, session.ticket
        ids.title.text = self.t("ticket.title")
        ids.finish.text = self.t("app.finish")
        if ticket is None:
            return
        ids.department.text = ticket.department_name.pick(self.language)
        ids.number.text = ticket.display_number
        lane = self.t("ticket.priority") if ticket.lane == Lane.PRIORITY else ""
        if lane and session.needs_staff_confirmation:
            lane += " · " + self.t("ticket.staff_confirm")
        ids.lane.text = lane
        room = ticket.room_name.pick(self.language) if ticket.room_name else ""
        where = ticket.room_location.pick(self.language) if ticket.room_location else ""
        ids.room.text = " · ".join(p for p in (room, where) if p)
        if ticket.position is not None and ticket.wait_estimate_minutes is not None:
            ids.position.text = self.t("ticket.position", count=ticket.position, minutes=ticket.wait_estimate_minutes)
        else:
            ids.position.text = ""
        ids.patient.text = patient_line(session)
        ids.payment.text = self._payment(session)
        on_screen = session.step == Step.SCREEN_TICKET
        key = "ticket.on_screen" if on_screen else ("ticket.reprint" if ticket.reprint else "ticket.printed")
        ids.message.text = self.t(key)
        if ticket.provisional:  # numbered from the kiosk's lease while the hub was away: say so, as the paper does
            pending = "ticket.provisional_bhyt" if ticket.visit == VisitType.BHYT else "ticket.provisional"
            ids.message.text += "\n" + self.t(pending)
        ids.message.color = self.ids.lane.color if on_screen else self.ids.title.color
        ids.qr.texture = qr_texture(ticket.status_url) if on_screen else None
        ids.qr.opacity = 1 if on_screen else 0

    def _payment(self, session: Session) -> str:
        ticket = session.ticket
        line = ticket.payment if ticket is not None else None
        if line is not None and line.paid:  # the bank's reference, relayed by the hub: nothing else says "paid"
            return self.t("ticket.paid", amount=format_vnd(line.amount_vnd), reference=line.bank_reference)
        if line is not None:
            return self.t("ticket.unpaid", amount=format_vnd(line.amount_vnd))
        fee = session.fee
        if session.visit == VisitType.FEE and fee is not None and fee.reason in CASHIER_REASONS:
            return self.t("ticket.pay_at_cashier")
        return ""

    def finish(self) -> None:
        self.send(Cancel())
