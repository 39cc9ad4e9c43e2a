"""A patient checks in through the real screens (offscreen SDL), by touches in window coordinates.

One Kivy app per process, so this module is one walk: home → keypad → visit → department → confirm → ticket, with
the language switched live, the idle warning answered, and screenshots checked on the way.
"""

from __future__ import annotations

import asyncio
import time
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from kiosk.app import build_app, prepare_kivy, run_app
from kiosk.domain.dates import parse_iso_partial_date as dob
from kiosk.flow.fakes import FakeHis, FakePrinter, answer_for
from kiosk.flow.records import IdentifierKind, PatientRecord
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig
from tests.ui.shots import assert_not_blank

pytestmark = pytest.mark.ui
ID_NUMBER = "001089012345"
SIZE = (1080, 1920)


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


def camera_view() -> tuple[int, int, bytes]:
    """A 320×180 frame as the camera worker hands it: red left half, blue right half, rows top to bottom."""
    row = bytes([220, 30, 30]) * 160 + bytes([30, 30, 220]) * 160
    return 320, 180, row * 180


def test_a_patient_checks_in_by_touch(tmp_path: Path) -> None:
    prepare_kivy(SIZE, headless=True)
    his = FakeHis()
    his.patients[(IdentifierKind.CCCD, ID_NUMBER)] = PatientRecord(
        "P1", "Nguyễn Thị Ánh", dob("1989-02-01"), "••••••••2345"
    )
    valid = {"valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31), "valid_today": True}
    his.answers[ID_NUMBER] = [answer_for("000", benefit_level=4, benefit_percent=80, **valid)]
    printer, clock = FakePrinter(), Clock()
    service = FlowService(FlowConfig("Bệnh viện Đa khoa Demo"), his, printer, monotonic=clock)
    app = build_app(service, monotonic=clock, preview=camera_view)
    walked = asyncio.run(run_app(app, service, lambda: _walk(app, service, clock, tmp_path)))
    assert walked == "done"
    assert [t.queue_number for t in printer.tickets] == [1]
    assert printer.tickets[0].patient_display_name == "Nguyễn Thị Ánh"


async def _walk(app: object, service: FlowService, clock: Clock, shots: Path) -> str:
    from kiosk.screens.pilot import frames, screenshot, tap, texts, walk

    root = app.root  # type: ignore[attr-defined]
    await frames(12)

    async def settle() -> None:
        await service.idle()
        await frames(3)

    def shown() -> list[str]:
        return texts(root)

    assert_vietnamese_glyphs_are_drawn()
    home = screenshot(root, shots / "home.png")
    assert_not_blank(home, SIZE)
    assert "Xin chào!" in shown()
    assert all(unicodedata.is_normalized("NFC", t) for t in shown())

    # Every touch target on the first screens is at least 120 px (≈ 30 mm) tall: far above 15 mm.
    buttons = [w for w in walk(root) if hasattr(w, "trigger_action") and w.opacity > 0]
    assert buttons
    assert min(b.height for b in buttons) >= 110

    await tap(root, "Đăng ký khám bệnh")
    assert service.session.step == Step.IDENTIFY
    for digit in ID_NUMBER:
        await tap(root, digit)
    assert ID_NUMBER not in " ".join(shown())  # the number on screen is masked but for its last 4 digits
    assert any(t.endswith("2345") and "•" in t for t in shown())
    preview = screenshot(root, shots / "identify.png")
    assert_not_blank(preview, SIZE)
    assert_camera_view_shown(root, preview)
    await tap(root, "Tiếp tục")
    await settle()
    assert service.session.step == Step.VISIT_TYPE

    await tap(root, "English")  # live: the same screen, now in English
    assert "How will you pay?" in shown()
    assert "Chọn hình thức khám" not in shown()
    await tap(root, "Health insurance (BHYT)")
    await settle()
    assert service.session.step == Step.DEPARTMENT
    await tap(root, "Tiếng Việt")
    assert "Chọn khoa khám" in shown()
    assert any("12 người đang chờ" in t for t in shown())
    assert_not_blank(screenshot(root, shots / "department.png"), SIZE)
    await tap(root, "Khoa Mắt")  # closed now: listed, and says so when touched
    assert service.session.step == Step.DEPARTMENT
    assert "Khoa này hiện đã đóng cửa" in shown()
    await tap(root, "Khoa Nội")
    assert service.session.step == Step.CONFIRM

    clock.offset += service.config.idle_after_s + 1  # the patient hesitates…
    await asyncio.sleep(1.2)
    await frames(3)
    assert service.session.idle_warning_since is not None
    assert "Bạn còn ở đây không?" in shown()
    assert_not_blank(screenshot(root, shots / "idle.png"), SIZE)
    await tap(root, "Tôi cần thêm thời gian")
    assert service.session.idle_warning_since is None
    assert "Bạn còn ở đây không?" not in shown()

    await tap(root, "Người khuyết tật")
    await tap(root, "Lấy số thứ tự")
    await settle()
    assert service.session.step == Step.DONE
    assert "0001" in shown()
    assert any("nhân viên sẽ xác nhận" in t for t in shown())  # declared priority, to be confirmed by staff
    assert_not_blank(screenshot(root, shots / "ticket.png"), SIZE)
    await tap(root, "Xong")
    assert service.session.step == Step.HOME
    assert service.session.patient is None
    return "done"


def assert_camera_view_shown(root: object, png: Path) -> None:
    from PIL import Image

    from kiosk.screens.pilot import walk

    image_widget = next(w for w in walk(root) if type(w).__name__ == "Image" and w.texture is not None)  # type: ignore[arg-type]
    assert tuple(image_widget.texture.size) == (320, 180)
    x, y = image_widget.to_window(*image_widget.center)
    with Image.open(png) as shot:
        left = shot.getpixel((int(x) - 60, int(SIZE[1] - y)))
        right = shot.getpixel((int(x) + 60, int(SIZE[1] - y)))
    assert left[0] > 150 > left[2]  # red where the camera saw red…
    assert right[2] > 150 > right[0]  # …and blue on the right: not mirrored, not blank


def assert_vietnamese_glyphs_are_drawn() -> None:
    """Every toned vowel of Vietnamese draws a real glyph in the kiosk's font (not the 'missing glyph' box)."""
    from kivy.core.text import Label as CoreLabel

    def pixels(text: str) -> bytes:
        label = CoreLabel(text=text, font_size=48)
        label.refresh()
        return bytes(label.texture.pixels)

    missing = pixels("\ue000")  # a private-use code point: no font draws it, so this is the fallback box
    vowels = "aăâeêioôơuưy"
    toned = [
        unicodedata.normalize("NFC", v + mark)
        for v in vowels
        for mark in ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
    ]
    assert len(toned) == 60
    for letter in [*toned, "đ", "Đ"]:
        drawn = pixels(letter)
        assert drawn != missing, f"{letter!r} is not in the font"
        plain = {"đ": "d", "Đ": "D"}.get(letter) or unicodedata.normalize("NFD", letter)[0]
        assert drawn != pixels(plain), f"{letter!r} lost its marks"
