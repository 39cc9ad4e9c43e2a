"""Staff only: the maintenance PIN, typed on the same keypad as ID numbers, shown as dots."""

from __future__ import annotations

from kiosk.flow.events import Back, KeypadDigit, KeypadErase, KeypadSubmit
from kiosk.flow.state import Session
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.widgets import fill_keypad

load_kv(__file__.replace("maintenance_pin.py", "identify.py"))  # the KeyButton rule
load_kv(__file__)


class MaintenancePinScreen(KioskScreen):
    NAME = "maintenance_pin"

    def on_kv_post(self, _base_widget: object) -> None:
        fill_keypad(self.ids.keypad, self._key)

    def render(self, session: Session) -> None:
        self.ids.title.text = self.t("maintenance.pin_title")
        self.ids.typed.text = "•" * len(session.typed) or " "
        self.ids.notice.text = self.t(session.notice_key) if session.notice_key else ""
        self.ids.submit.text = self.t("identify.submit")
        self.ids.cancel.text = self.t("app.cancel")
        for button in self.ids.keypad.children:
            if button.key == "erase":
                button.text = self.t("identify.erase")

    def _key(self, button: object) -> None:
        key: str = getattr(button, "key", "")
        self.send(KeypadErase() if key == "erase" else KeypadDigit(key))

    def submit(self) -> None:
        self.send(KeypadSubmit())

    def cancel(self) -> None:
        self.send(Back())
