"""Landscape (1920×1080) with the high-contrast, large-text theme: every screen of a check-in fits the window,
touch targets stay above 15 mm, and the big number is visible (light on the dark background)."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from kiosk.app import build_app, prepare_kivy, run_app
from kiosk.domain.dates import parse_iso_partial_date as dob
from kiosk.flow.events import CardPresented
from kiosk.flow.fakes import FakeHis, FakePrinter, answer_for
from kiosk.flow.records import IdentifierKind, IdentitySource, PatientRecord, PresentedIdentity
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig
from tests.ui.shots import assert_not_blank

pytestmark = pytest.mark.ui
SIZE = (1920, 1080)
MM15_PX = 60  # 15 mm on a 21.5" 1920×1080 panel (~102 dpi)
PATIENT = PresentedIdentity(
    source=IdentitySource.CHIP,
    lookup_kind=IdentifierKind.CCCD,
    lookup_value="001089012345",
    full_name="Trần Thị Bích Ngọc",
    date_of_birth=dob("1989-02-01"),
    sex="female",
    id_number="001089012345",
)


def test_a_landscape_high_contrast_check_in_fits_and_reads(tmp_path: Path) -> None:
    prepare_kivy(SIZE, headless=True)
    from kiosk.screens import theme

    theme.use(theme.theme_for(high_contrast=True, large_text=True, landscape=True))
    his = FakeHis()
    his.patients[(IdentifierKind.CCCD, PATIENT.lookup_value)] = PatientRecord(
        "P1", PATIENT.full_name or "", dob("1989")
    )
    valid = {"valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31), "valid_today": True}
    his.answers[PATIENT.lookup_value] = [answer_for("000", **valid)]
    service = FlowService(FlowConfig("Bệnh viện Đa khoa Demo"), his, FakePrinter())
    app = build_app(service, monotonic=time.monotonic, devices=lambda: (False, True))  # the chip reader is down
    seen = asyncio.run(run_app(app, service, lambda: _walk(app, service, tmp_path)))
    assert seen == ["home", "visit_type", "department", "confirm", "done"]


def _scrolls(widget: object) -> bool:
    from kivy.uix.scrollview import ScrollView

    parent = getattr(widget, "parent", None)
    while parent is not None and parent is not getattr(parent, "parent", None):
        if isinstance(parent, ScrollView):
            return True
        parent = getattr(parent, "parent", None)
    return False


async def _walk(app: object, service: FlowService, shots: Path) -> list[str]:
    from kiosk.screens.pilot import frames, screenshot, tap, texts, walk

    root = app.root  # type: ignore[attr-defined]
    await frames(12)
    seen: list[str] = []

    async def check(name: str) -> Path:
        await service.idle()
        await frames(3)
        seen.append(service.session.step.value)
        for widget in walk(root):
            if hasattr(widget, "trigger_action") and widget.opacity > 0 and widget.get_root_window() is not None:
                assert widget.height >= MM15_PX, f"{name}: {widget.text!r} is {widget.height}px tall"
                if _scrolls(widget):
                    continue  # large text taller than the panel: the column scrolls (reachable, not cut off)
                x, y = widget.to_window(*widget.pos)
                assert x >= -1, f"{name}: {widget.text!r} starts left of the window"
                assert y >= -1, f"{name}: {widget.text!r} sticks out below the window"
                assert y + widget.height <= SIZE[1] + 1, f"{name}: {widget.text!r} sticks out above the window"
                assert widget.height >= MM15_PX, f"{name}: {widget.text!r} is {widget.height}px tall"
        path = screenshot(root, shots / f"{name}.png")
        assert_not_blank(path, SIZE)
        return path

    await asyncio.sleep(1.2)  # the status strip is refreshed every second
    await check("home")
    assert "Đầu đọc thẻ lỗi" in texts(root)
    assert "Camera" in texts(root)
    service.dispatch(CardPresented(PATIENT))
    await check("visit")
    await tap(root, "Khám bảo hiểm y tế")
    await check("department")
    await tap(root, "Khoa Nội")
    await check("confirm")
    await tap(root, "Lấy số thứ tự")
    ticket = await check("ticket")
    assert service.session.step == Step.DONE
    assert service.session.ticket is not None
    label = next(w for w in walk(root) if getattr(w, "text", None) == service.session.ticket.display_number)
    x, y = label.to_window(*label.pos)
    with Image.open(ticket) as image:
        grey = image.convert("L")
        assert ImageStat.Stat(grey).mean[0] < 100  # a dark screen…
        # …and the big number drawn light on it, where the label is (PNG rows count from the top).
        box = (int(x), int(SIZE[1] - y - label.height), int(x + label.width), int(SIZE[1] - y))
        number = grey.crop(box)
        assert number.getextrema()[1] > 200
        assert ImageStat.Stat(number).mean[0] > 30
    return seen
