"""Small pieces several screens draw: the patient banner and the QR code texture."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from kivy.factory import Factory
from kivy.graphics.texture import Texture

from kiosk.domain.masking import mask_id
from kiosk.flow.state import Session


def patient_line(session: Session) -> str:
    """Name and masked ID number, as the patient sees themselves identified."""
    patient, identity = session.patient, session.identity
    name = (patient.full_name if patient else None) or (identity.full_name if identity else None) or ""
    number = identity.lookup_value if identity else None
    masked = (patient.id_number_masked if patient else None) or (mask_id(number) if number else "")
    return f"{name}  ·  {masked}" if name and masked else name or masked


def qr_texture(payload: str, scale: int = 10) -> Texture:
    """A crisp QR texture (nearest-neighbour), dark modules black on white with a quiet zone."""
    code = segno.make_qr(payload, error="m")
    rows = [[0 if dark else 255 for dark in row] for row in code.matrix]
    quiet = 2
    size = len(rows) + 2 * quiet
    pixels = bytearray([255] * size * size)
    for y, row in enumerate(rows):
        for x, value in enumerate(row):
            # Kivy textures start at the bottom row.
            pixels[(size - 1 - (y + quiet)) * size + x + quiet] = value
    texture = Texture.create(size=(size, size), colorfmt="luminance")
    texture.blit_buffer(bytes(pixels), colorfmt="luminance", bufferfmt="ubyte")
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture


KEYPAD_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "erase", "0", "")


def fill_keypad(container: Any, on_key: Callable[[Any], None]) -> None:
    """The on-screen number pad (identify, maintenance PIN): 3×4 KeyButtons, the last cell an inert spacer."""
    for key in KEYPAD_KEYS:
        button = Factory.KeyButton(text=key)
        button.key = key
        if key:
            button.bind(on_release=on_key)
        else:
            button.opacity, button.disabled = 0, True
        container.add_widget(button)
