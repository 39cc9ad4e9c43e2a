"""What every kiosk screen shares: it renders a flow session and sends user events, nothing else."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ColorProperty, NumericProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.flow.events import Event
from kiosk.flow.state import Session
from kiosk.i18n.catalogue import translate
from kiosk.screens import theme

Send = Callable[[Event], None]
# The tactile keypad's choice ids (kiosk.speech.navigator) whose button has another id in a screen's .kv.
FOCUS_ALIASES: Mapping[str, tuple[str, ...]] = {
    "benefit_lookup": ("lookup",),
    "try_again": ("again",),
    "ticket_on_screen": ("again",),  # the printer is not ready: the number on screen
    "repeat_ticket": ("number",),  # no button: the ring goes round the number it says again
    "repeat_payment": ("amount",),  # no button: the ring goes round the amount it says again
    "pay": ("get_ticket",),  # the confirm screen's one button, labelled with the fee when it takes it
    "finish": ("close", "cancel"),  # the staff screens' way out
}


def load_kv(module_file: str) -> None:
    """Load the .kv file next to a screen module, once."""
    path = str(Path(module_file).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)


class KioskButton(ButtonBehavior, Label):  # type: ignore[misc]
    """A large rounded button (≥ 140 px ≈ 35 mm tall at the kiosk's panel)."""

    bg = ColorProperty((0, 0, 0, 1))
    min_height = NumericProperty(140)


class KioskScreen(Screen):  # type: ignore[misc]
    NAME = ""  # the ScreenManager name, as in the .kv rule

    SCROLLS_ITSELF = False  # a screen whose long part already scrolls (the department list)

    def __init__(self, send: Send, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.send = send
        if theme.current.large_text and not self.SCROLLS_ITSELF:
            self._scrollable()
        self.language = "vi"
        self.devices: object = None  # the status board, for screens that show device state

    def _scrollable(self) -> None:
        """Large text may be taller than the panel: the screen's column scrolls instead of running off the edge
        (WCAG 1.4.10 reflow: one direction of scrolling, never text cut off)."""
        column = self.children[0]
        self.remove_widget(column)
        column.size_hint_y = None
        column.bind(minimum_height=column.setter("height"))
        view = ScrollView(do_scroll_x=False, bar_width=theme.current.px(14))
        view.add_widget(column)
        self.add_widget(view)

    def t(self, key: str, **values: object) -> str:
        return translate(key, self.language, **values)

    def show(self, session: Session) -> None:
        self.language = session.language
        self.render(session)

    def render(self, session: Session) -> None:
        raise NotImplementedError

    def focus_target(self, choice_id: str) -> Widget | None:
        """The widget the focus ring goes round for a keypad choice (None: not on this screen)."""
        for widget_id in (choice_id, *FOCUS_ALIASES.get(choice_id, ())):
            widget: Widget | None = self.ids.get(widget_id)
            if widget is not None:
                return widget
        return None


load_kv(__file__.replace("base.py", "common.py"))
