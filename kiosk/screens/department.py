"""Choose a department: each with its queue length and an honest wait estimate; closed ones say so."""

from __future__ import annotations

from kivy.uix.widget import Widget
from kivy.utils import escape_markup

from kiosk.flow.events import Back, Cancel, ChooseDepartment
from kiosk.flow.records import DepartmentChoice
from kiosk.flow.state import Session
from kiosk.screens import theme
from kiosk.screens.base import KioskButton, KioskScreen, load_kv
from kiosk.screens.widgets import patient_line
from kiosk.speech.navigator import DEPARTMENT_PREFIX

load_kv(__file__)


class DepartmentButton(KioskButton):
    pass


class DepartmentScreen(KioskScreen):
    NAME = "department"
    SCROLLS_ITSELF = True

    def render(self, session: Session) -> None:
        self.ids.title.text = self.t("department.title")
        self.ids.patient.text = patient_line(session)
        self.ids.notice.text = self.t(session.notice_key) if session.notice_key else ""
        self.ids.back.text = self.t("app.back")
        self.ids.cancel.text = self.t("app.cancel")
        listing = self.ids.list
        listing.clear_widgets()
        if not session.departments:
            listing.add_widget(DepartmentButton(text=self.t("department.loading"), disabled=True))
        for department in session.departments:
            listing.add_widget(self._button(department))

    def _button(self, department: DepartmentChoice) -> DepartmentButton:
        name = department.name.pick(self.language)
        if department.open_now:
            detail = self.t("department.queue", count=department.queue_length, minutes=department.wait_estimate_minutes)
        else:
            detail = self.t("department.closed_short")
        small = int(theme.current.size(32))
        button = DepartmentButton(text=f"[b]{escape_markup(name)}[/b]\n[size={small}]{escape_markup(detail)}[/size]")
        button.department_id = department.id
        if not department.open_now:
            t = theme.current
            button.bg = t.secondary
            # Muted where it still reads (yellow on white in high contrast does not).
            button.color = t.muted if theme.contrast(t.muted, t.secondary) >= 4.5 else t.secondary_text
        button.bind(on_release=self._chosen)
        return button

    def focus_target(self, choice_id: str) -> Widget | None:
        if not choice_id.startswith(DEPARTMENT_PREFIX):
            return super().focus_target(choice_id)
        wanted = choice_id.removeprefix(DEPARTMENT_PREFIX)
        for button in self.ids.list.children:
            if getattr(button, "department_id", None) == wanted:
                self.ids.list.parent.scroll_to(button, animate=False)  # a long list: bring the choice into view
                found: Widget = button
                return found
        return None

    def _chosen(self, button: object) -> None:
        self.send(ChooseDepartment(getattr(button, "department_id", "")))

    def back(self) -> None:
        self.send(Back())

    def cancel(self) -> None:
        self.send(Cancel())
