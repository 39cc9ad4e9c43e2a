"""The panel of a kiosk that cannot serve patients: why (Vietnamese and English at once), where to go instead,
and for IT the kiosk's name and the reason's code. Its own small app: the kiosk shows it instead of the check-in
screens until the reason clears, then starts again into service.

Import it only after `kiosk.app.prepare_kivy` (it imports Kivy).
"""

from __future__ import annotations

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.domain.out_of_service import DESK_KEY, TITLE_KEY, OutOfService
from kiosk.i18n.catalogue import translate
from kiosk.screens.base import load_kv

load_kv(__file__)


class OutOfServicePanel(BoxLayout):  # type: ignore[misc]
    title_vi = StringProperty(translate(TITLE_KEY, "vi"))
    title_en = StringProperty(translate(TITLE_KEY, "en"))
    reason_vi = StringProperty("")
    reason_en = StringProperty("")
    desk_vi = StringProperty(translate(DESK_KEY, "vi"))
    desk_en = StringProperty(translate(DESK_KEY, "en"))
    for_it = StringProperty("")  # the kiosk's name, the reason's code and what the system said


class OutOfServiceApp(App):  # type: ignore[misc]
    title = "Kiosk — out of service"

    def __init__(self, reason: OutOfService, kiosk_name: str, detail: str = "") -> None:
        super().__init__()
        self._state = (reason, kiosk_name, detail)

    def build(self) -> OutOfServicePanel:
        self.root = OutOfServicePanel()
        self.show(*self._state)
        return self.root

    def show(self, reason: OutOfService, kiosk_name: str, detail: str = "") -> None:
        """Say this reason now (the kiosk's attempts to get back into service go on behind it)."""
        self._state = (reason, kiosk_name, detail)
        panel = self.root
        if panel is None:
            return
        panel.reason_vi = translate(reason.message_key, "vi")
        panel.reason_en = translate(reason.message_key, "en")
        panel.for_it = " · ".join(part for part in (kiosk_name, reason.value, detail[:160]) if part)
