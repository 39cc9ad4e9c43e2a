"""Paying the exam fee: the VietQR large, the amount, the hospital's account name, the memo, a countdown, "Hủy"
(and "trả sau" where the hospital allows it). The screen says "paid" only once the hub relays the bank's word."""

from __future__ import annotations

from kiosk.domain.payment_state import PaymentState
from kiosk.domain.vietqr import VietQrError, decode_vietqr, format_vnd
from kiosk.flow.events import Cancel, PayLater
from kiosk.flow.state import Session
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.widgets import qr_texture

load_kv(__file__)


class PaymentScreen(KioskScreen):
    NAME = "payment"
    now: float | None = None  # the flow's monotonic time at this render (the root sets it)

    def render(self, session: Session) -> None:
        ids, payment = self.ids, session.payment
        ids.title.text = self.t("payment.title")
        ids.cancel.text = self.t("app.cancel")
        allowed = session.fee is not None and session.fee.pay_later
        ids.pay_later.text = self.t("payment.pay_later") if allowed else ""
        ids.pay_later.opacity, ids.pay_later.disabled = (1, False) if allowed else (0, True)
        if payment is None:
            return
        ids.amount.text = format_vnd(payment.amount_vnd)
        ids.account.text = self.t("payment.account", name=payment.account_name) if payment.account_name else ""
        ids.reference.text = self.t("payment.reference", reference=payment.reference)
        ids.help.text = self.t("payment.help")
        ids.status.text = self.t("payment.paid_waiting" if payment.state == PaymentState.PAID else "payment.waiting")
        qr = payment.qr_payload
        ids.qr.texture = qr_texture(qr) if qr and _shown(qr, payment.amount_vnd) else None
        left = int(max(0.0, (session.payment_deadline or 0.0) - self.now)) if self.now is not None else 0
        ids.countdown.text = self.t("payment.countdown", minutes=left // 60, seconds=f"{left % 60:02d}")

    def pay_later(self) -> None:
        self.send(PayLater())

    def cancel(self) -> None:
        self.send(Cancel())


def _shown(payload: str, amount_vnd: int) -> bool:
    """Only a QR that reads back as a VietQR for the amount on the screen is drawn: what the patient sees and
    what their bank app will ask them to confirm are the same."""
    try:
        return decode_vietqr(payload).amount_vnd == amount_vnd
    except VietQrError:
        return False
