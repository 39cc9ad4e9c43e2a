"""The small tactile keypad: its keys as Kivy reports them, turned into the kiosk's own key events; and a focus ring.

Pure (no Kivy import): a screen's `on_key_down(window, key, scancode, codepoint, modifiers)` passes `key` to
`KeypadMap.translate`. Audio-navigation keypads (EZ Access style) present themselves as USB keyboards, so the
table is configurable per model; the default covers arrows, Enter, Escape, Backspace, F1/F2/F3, +/-, both digit
rows, and the SDL codes Kivy passes through unmapped (volume keys, Help).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Generic, TypeVar


class KioskKey(StrEnum):
    UP = "up"
    DOWN = "down"
    LEFT = "left"
    RIGHT = "right"
    SELECT = "select"
    BACK = "back"
    HELP = "help"  # how the keys work (spoken)
    CALL_STAFF = "call_staff"  # "Cần hỗ trợ": the reception staff are called to the kiosk
    REPEAT = "repeat"
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"
    ERASE = "erase"
    DIGIT = "digit"


# Keys that move or act on the focus; the rest talk to the voice.
NAVIGATION_KEYS = frozenset({KioskKey.UP, KioskKey.DOWN, KioskKey.LEFT, KioskKey.RIGHT, KioskKey.SELECT, KioskKey.BACK})


@dataclass(frozen=True, slots=True)
class KeyPress:
    key: KioskKey
    digit: str | None = None  # "0".."9" for KioskKey.DIGIT


# Kivy's key codes (kivy.core.window.Keyboard.keycodes) and raw SDL codes Kivy forwards unmapped.
SDL_HELP = 0x40000075
SDL_VOLUME_UP = 0x40000080
SDL_VOLUME_DOWN = 0x40000081
SDL_AC_BACK = 0x4000010E
DEFAULT_KEYS: dict[int, KioskKey] = {
    273: KioskKey.UP,
    274: KioskKey.DOWN,
    276: KioskKey.LEFT,
    275: KioskKey.RIGHT,
    13: KioskKey.SELECT,  # Enter
    271: KioskKey.SELECT,  # keypad Enter
    32: KioskKey.SELECT,  # space
    27: KioskKey.BACK,  # Escape
    SDL_AC_BACK: KioskKey.BACK,
    8: KioskKey.ERASE,  # Backspace
    127: KioskKey.ERASE,  # Delete
    266: KioskKey.ERASE,  # keypad "." (a numeric keypad's only spare key near the digits)
    282: KioskKey.HELP,  # F1
    SDL_HELP: KioskKey.HELP,
    284: KioskKey.CALL_STAFF,  # F3
    267: KioskKey.CALL_STAFF,  # keypad "/"
    283: KioskKey.REPEAT,  # F2
    268: KioskKey.REPEAT,  # keypad "*"
    43: KioskKey.VOLUME_UP,  # "+"
    61: KioskKey.VOLUME_UP,  # "=" (unshifted "+")
    270: KioskKey.VOLUME_UP,  # keypad "+"
    SDL_VOLUME_UP: KioskKey.VOLUME_UP,
    45: KioskKey.VOLUME_DOWN,  # "-"
    269: KioskKey.VOLUME_DOWN,  # keypad "-"
    SDL_VOLUME_DOWN: KioskKey.VOLUME_DOWN,
}
_DIGIT_ROW = {48 + d: str(d) for d in range(10)}
_NUMPAD = {256 + d: str(d) for d in range(10)}


@dataclass(frozen=True, slots=True)
class KeypadMap:
    keys: Mapping[int, KioskKey] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    digits: Mapping[int, str] = field(default_factory=lambda: {**_DIGIT_ROW, **_NUMPAD})

    def translate(self, keycode: int) -> KeyPress | None:
        """The kiosk key for a Kivy key code, or None for a key the keypad does not have."""
        digit = self.digits.get(keycode)
        if digit is not None:
            return KeyPress(KioskKey.DIGIT, digit)
        key = self.keys.get(keycode)
        return KeyPress(key) if key is not None else None

    def with_keys(self, extra: Mapping[int, KioskKey]) -> KeypadMap:
        """The same map with some codes added or changed (a keypad model's own layout, from the config)."""
        return replace(self, keys={**self.keys, **extra})


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FocusRing(Generic[T]):
    """Which of a screen's choices has the focus; moving past either end wraps round, as on a telephone menu."""

    choices: tuple[T, ...]
    index: int = 0

    @property
    def focused(self) -> T | None:
        return self.choices[self.index] if self.choices else None

    @property
    def position(self) -> tuple[int, int]:
        """(1-based place, count), as it is spoken: "2 of 3"."""
        return (self.index + 1, len(self.choices))

    def moved(self, steps: int) -> FocusRing[T]:
        if not self.choices:
            return self
        return replace(self, index=(self.index + steps) % len(self.choices))

    def on(self, choices: tuple[T, ...]) -> FocusRing[T]:
        """The ring over new choices, keeping the focus on the same choice when it is still there."""
        current = self.focused
        index = choices.index(current) if current is not None and current in choices else 0
        return FocusRing(choices, index)

    def move(self, key: KioskKey) -> FocusRing[T]:
        if key in (KioskKey.DOWN, KioskKey.RIGHT):
            return self.moved(1)
        if key in (KioskKey.UP, KioskKey.LEFT):
            return self.moved(-1)
        return self
