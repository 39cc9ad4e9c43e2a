"""What every kiosk screen shares: it renders a flow session and sends user events, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ColorProperty, NumericProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from kiosk.flow.events import Event
from kiosk.flow.state import Session
from kiosk.i18n.catalogue import translate

Send = Callable[[Event], None]


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

    def __init__(self, send: Send, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.send = send
        self.language = "vi"
        self.devices: object = None  # the status board, for screens that show device state

    def t(self, key: str, **values: object) -> str:
        return translate(key, self.language, **values)

    def show(self, session: Session) -> None:
        self.language = session.language
        self.render(session)

    def render(self, session: Session) -> None:
        raise NotImplementedError


load_kv(__file__.replace("base.py", "common.py"))
