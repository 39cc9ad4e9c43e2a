"""Go to the reception desk: why, and the slip (printed, or its QR on screen if the printer failed)."""

from __future__ import annotations

from kiosk.flow.desk import REASON_MESSAGE_KEYS
from kiosk.flow.events import Cancel
from kiosk.flow.state import Session
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.widgets import patient_line, qr_texture

load_kv(__file__)


def reason_key(session: Session) -> str:
    if session.entitlement is not None and session.desk_reason and session.desk_reason.startswith("bhxh_"):
        return session.entitlement.message_key
    if session.desk_reason in REASON_MESSAGE_KEYS:
        return REASON_MESSAGE_KEYS[session.desk_reason]
    return "entitlement.unknown_result"


class DeskScreen(KioskScreen):
    NAME = "desk"

    def render(self, session: Session) -> None:
        ids = self.ids
        ids.title.text = self.t("desk.title")
        ids.patient.text = patient_line(session)
        ids.reason.text = self.t(reason_key(session))
        ids.message.text = self.t("desk.printed" if session.printed else "desk.on_screen")
        show_qr = not session.printed and bool(session.desk_qr)
        ids.qr.texture = qr_texture(session.desk_qr or "") if show_qr else None
        ids.qr.opacity = 1 if show_qr else 0
        ids.finish.text = self.t("app.finish")

    def finish(self) -> None:
        self.send(Cancel())
