"""The tactile keypad's key codes (checked against Kivy's own table) and the focus ring."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from kiosk.speech.keypad import (
    SDL_VOLUME_DOWN,
    SDL_VOLUME_UP,
    FocusRing,
    KeypadMap,
    KeyPress,
    KioskKey,
)


def kivy_keycodes() -> dict[str, int]:
    """Kivy's `Keyboard.keycodes`, read from its source: importing kivy.core.window would open a window."""
    spec = importlib.util.find_spec("kivy")
    if spec is None or spec.origin is None:
        pytest.skip("kivy is the kiosk's UI toolkit (the ui extra)")
    source = Path(spec.origin).parent / "core" / "window" / "__init__.py"
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef) and node.name == "Keyboard":
            for item in node.body:
                if isinstance(item, ast.Assign) and getattr(item.targets[0], "id", "") == "keycodes":
                    return ast.literal_eval(item.value)  # type: ignore[no-any-return]
    raise AssertionError("Kivy's Keyboard.keycodes not found")


@pytest.mark.parametrize(
    ("kivy_name", "expected"),
    [
        ("up", KeyPress(KioskKey.UP)),
        ("down", KeyPress(KioskKey.DOWN)),
        ("left", KeyPress(KioskKey.LEFT)),
        ("right", KeyPress(KioskKey.RIGHT)),
        ("enter", KeyPress(KioskKey.SELECT)),
        ("numpadenter", KeyPress(KioskKey.SELECT)),
        ("escape", KeyPress(KioskKey.BACK)),
        ("backspace", KeyPress(KioskKey.ERASE)),
        ("f1", KeyPress(KioskKey.HELP)),
        ("f2", KeyPress(KioskKey.REPEAT)),
        ("numpadadd", KeyPress(KioskKey.VOLUME_UP)),
        ("numpadsubstract", KeyPress(KioskKey.VOLUME_DOWN)),
        ("0", KeyPress(KioskKey.DIGIT, "0")),
        ("7", KeyPress(KioskKey.DIGIT, "7")),
        ("numpad0", KeyPress(KioskKey.DIGIT, "0")),
        ("numpad9", KeyPress(KioskKey.DIGIT, "9")),
    ],
)
def test_kivy_key_codes_become_kiosk_keys(kivy_name: str, expected: KeyPress) -> None:
    assert KeypadMap().translate(kivy_keycodes()[kivy_name]) == expected


def test_media_volume_keys_and_unknown_keys() -> None:
    keypad = KeypadMap()
    assert keypad.translate(SDL_VOLUME_UP) == KeyPress(KioskKey.VOLUME_UP)
    assert keypad.translate(SDL_VOLUME_DOWN) == KeyPress(KioskKey.VOLUME_DOWN)
    assert keypad.translate(kivy_keycodes()["a"]) is None


def test_a_keypad_model_can_remap_a_key() -> None:
    f5 = kivy_keycodes()["f5"]
    assert KeypadMap().translate(f5) is None
    assert KeypadMap().with_keys({f5: KioskKey.REPEAT}).translate(f5) == KeyPress(KioskKey.REPEAT)


def test_the_focus_ring_wraps_round_both_ways() -> None:
    ring = FocusRing(("a", "b", "c"))
    assert ring.focused == "a"
    assert ring.position == (1, 3)
    assert ring.move(KioskKey.UP).focused == "c"
    assert ring.move(KioskKey.DOWN).move(KioskKey.RIGHT).focused == "c"
    assert ring.move(KioskKey.DOWN).move(KioskKey.DOWN).move(KioskKey.DOWN).focused == "a"
    assert ring.move(KioskKey.SELECT) == ring


def test_new_choices_keep_the_focus_on_the_same_choice_when_it_is_still_there() -> None:
    ring = FocusRing(("back", "cancel")).move(KioskKey.DOWN)
    assert ring.on(("noi", "nhi", "back", "cancel")).focused == "cancel"
    assert ring.on(("noi", "nhi")).focused == "noi"
    empty: FocusRing[str] = FocusRing(())
    assert empty.focused is None
    assert empty.move(KioskKey.DOWN) == empty
