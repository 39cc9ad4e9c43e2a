"""Who is the patient: place a card, show a QR, or type a number on the keypad (masked but for the last 4)."""

from __future__ import annotations

from kivy.graphics.texture import Texture

from kiosk.domain.masking import mask_id
from kiosk.flow.events import Back, KeypadDigit, KeypadErase, KeypadSubmit
from kiosk.flow.state import Session
from kiosk.screens import theme
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.screens.widgets import fill_keypad

load_kv(__file__)


class IdentifyScreen(KioskScreen):
    NAME = "identify"

    def on_kv_post(self, _base_widget: object) -> None:
        fill_keypad(self.ids.keypad, self._key)

    def render(self, session: Session) -> None:
        self.ids.title.text = self.t("identify.title")
        self.ids.instructions.text = self.t("identify.instructions")
        self.ids.typed.text = mask_id(session.typed) if session.typed else self.t("identify.typed_placeholder")
        self.ids.typed.color = self.ids.title.color if session.typed else [*self.ids.instructions.color[:3], 0.5]
        self.ids.typed.font_size = theme.current.size(72 if session.typed else 40)
        self.ids.notice.text = self.t(session.notice_key) if session.notice_key else ""
        self.ids.submit.text = self.t("identify.submit")
        self.ids.cancel.text = self.t("app.cancel")
        for button in self.ids.keypad.children:
            if button.key == "erase":
                button.text = self.t("identify.erase")

    def show_preview(self, frame: tuple[int, int, bytes] | None) -> None:
        """The camera's view (codes outlined), so a patient sees where to hold the QR; None hides it."""
        if frame is None:
            self.ids.preview.texture = None
            return
        width, height, rgb = frame
        texture = self.ids.preview.texture
        if texture is None or tuple(texture.size) != (width, height):
            texture = Texture.create(size=(width, height), colorfmt="rgb")
            texture.flip_vertical()  # camera rows run top to bottom, Kivy's bottom to top
        texture.blit_buffer(rgb, colorfmt="rgb", bufferfmt="ubyte")
        self.ids.preview.texture = texture
        self.ids.preview.canvas.ask_update()

    def _key(self, button: object) -> None:
        key: str = getattr(button, "key", "")
        self.send(KeypadErase() if key == "erase" else KeypadDigit(key))

    def submit(self) -> None:
        self.send(KeypadSubmit())

    def cancel(self) -> None:
        self.send(Back())
