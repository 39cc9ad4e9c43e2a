"""Every flow through the real Kivy kiosk (offscreen SDL) with KEY EVENTS ONLY, the voice recorded.

One Kivy app per process, so this module is one morning at the kiosk: four patients in turn, each by the tactile
keypad through `Window` key events wired by the composition root (`build_app(..., guide=...)`):
a chip check-in (key presses counted), a CCCD QR check-in, a number typed on the numeric keypad, a benefit lookup
left idle (the warning and its reminder spoken, any key gives more time). The focus ring is checked on screen, and
the volume a patient raised is back to the start for the next one.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kiosk.app import build_app, prepare_kivy, run_app
from kiosk.domain.cccd_qr import CccdQr, format_cccd_qr
from kiosk.domain.dates import parse_iso_partial_date as dob
from kiosk.domain.people import Sex
from kiosk.flow.events import CardPresented, QrScanned
from kiosk.flow.fakes import FakeHis, FakePrinter, answer_for
from kiosk.flow.records import IdentifierKind, IdentitySource, PatientRecord, PresentedIdentity
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig
from kiosk.speech.fake import RecordingVoice
from kiosk.speech.guide import SpeechGuide

pytestmark = pytest.mark.ui
SIZE = (1080, 1920)
UP, DOWN, ENTER, ESCAPE, F1, PLUS = 273, 274, 13, 27, 282, 270  # PLUS: keypad "+"
CHIP_ID, QR_ID, TYPED_ID, LOOKUP_ID = "001089012345", "001089054321", "001089067890", "001089011111"
CHIP = PresentedIdentity(
    IdentitySource.CHIP, IdentifierKind.CCCD, CHIP_ID, "Nguyễn Văn An", dob("1989-02-01"), id_number=CHIP_ID
)
QR_TEXT = format_cccd_qr(CccdQr(QR_ID, None, "Trần Văn Bình", date(1989, 2, 1), Sex.MALE, "Hà Nội", date(2021, 8, 15)))


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


def _his() -> FakeHis:
    his = FakeHis()
    valid = {"valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31), "valid_today": True}
    names = ("Nguyễn Văn An", "Trần Văn Bình", "Lê Văn Cường", "Phạm Văn Dũng")
    for n, number in enumerate((CHIP_ID, QR_ID, TYPED_ID, LOOKUP_ID)):
        his.patients[(IdentifierKind.CCCD, number)] = PatientRecord(
            f"P{n}", names[n], dob("1989-02-01"), "••••" + number[-4:]
        )
        his.answers[number] = [answer_for("000", benefit_level=4, benefit_percent=80, **valid)]
    return his


def test_every_flow_by_key_events_only(tmp_path: Path) -> None:
    prepare_kivy(SIZE, headless=True)
    clock, voice = Clock(), RecordingVoice()
    service = FlowService(FlowConfig("Bệnh viện Đa khoa Demo"), _his(), FakePrinter(), monotonic=clock)
    guide = SpeechGuide(voice, warning_s=service.config.warning_s)
    app = build_app(service, monotonic=clock, guide=guide)
    walk = Walk(app, service, voice, clock, tmp_path)
    report = asyncio.run(run_app(app, service, walk.all))
    assert report["chip_presses"] <= 6
    print(f"\nkey presses for a chip check-in through the real app: {report['chip_presses']}")


class Walk:
    def __init__(self, app: Any, service: FlowService, voice: RecordingVoice, clock: Clock, shots: Path) -> None:
        self.app, self.service, self.voice, self.clock, self.shots = app, service, voice, clock, shots
        self.presses = 0

    async def settle(self) -> None:
        from kiosk.screens.pilot import frames

        await self.service.idle()
        await frames(3)

    async def press(self, *keys: int) -> None:
        from kivy.core.window import Window

        for key in keys:
            self.presses += 1
            Window.dispatch("on_key_down", key, 0, None, [])
            Window.dispatch("on_key_up", key, 0)
            await self.settle()

    async def device(self, event: object) -> None:
        self.service.dispatch(event)  # type: ignore[arg-type]
        await self.settle()

    def heard_since(self, mark: int) -> list[str]:
        return [text for text, _language, _volume in self.voice.said[mark:]]

    async def all(self) -> dict[str, Any]:
        from kiosk.screens.pilot import frames

        await frames(12)
        chip_presses = await self.chip_check_in()
        await self.qr_check_in()
        await self.typed_check_in()
        await self.lookup_left_idle()
        return {"chip_presses": chip_presses}

    async def chip_check_in(self) -> int:
        start = self.presses
        await self.press(F1)  # any key switches the voice on; it only greets and says the screen
        assert self.service.session.step == Step.HOME
        assert self.heard_since(0)[0].startswith("Đã bật hướng dẫn bằng giọng nói.")
        await self.device(CardPresented(CHIP))
        assert self.service.session.step == Step.VISIT_TYPE
        assert self.voice.last.startswith("Chọn hình thức khám.")
        await self.press(ENTER)  # "Khám bảo hiểm y tế"
        assert self.service.session.step == Step.DEPARTMENT
        await self.press(DOWN)  # Khoa Nhi
        assert self.voice.last.startswith("Khoa Nhi")
        self.assert_ring_round("department:NHI")
        await self.press(ENTER)
        assert self.service.session.step == Step.CONFIRM
        await self.press(ENTER)  # "Lấy số thứ tự"
        assert self.service.session.step == Step.DONE, self.service.session.notice_key
        presses = self.presses - start
        assert self.voice.last.startswith("Số thứ tự của bạn là một.")
        assert "Khoa Nhi" in self.voice.last
        await self.press(PLUS, PLUS)  # louder, for this patient only
        assert self.voice.said[-1][2] == self.voice.steps.start_index + 2
        await self.press(ESCAPE, ENTER)  # Back moves to "finish" and says it; Select leaves
        assert self.service.session.step == Step.HOME
        assert self.voice.volume_index == self.voice.steps.start_index  # the next patient starts at the usual level
        return presses

    async def qr_check_in(self) -> None:
        mark = len(self.voice.said)
        await self.device(QrScanned.of(QR_TEXT))  # the CCCD's QR under the camera: a device, not a key
        assert self.service.session.step == Step.VISIT_TYPE
        assert self.heard_since(mark) == []  # speech went off with the last patient: a key turns it on again
        await self.press(ENTER)
        assert self.service.session.step == Step.VISIT_TYPE  # that first key only switched the voice on
        assert self.voice.last.startswith("Đã bật hướng dẫn bằng giọng nói.")
        assert "Chọn hình thức khám." in self.voice.last
        assert self.voice.said[-1][2] == self.voice.steps.start_index
        await self.press(ENTER, ENTER, ENTER)  # BHYT, the first department (Khoa Nội), get the ticket
        assert self.service.session.step == Step.DONE
        self.assert_ticket_said()
        await self.press(ESCAPE, ENTER)

    async def typed_check_in(self) -> None:
        await self.press(ENTER)  # the voice on, on the home screen
        await self.press(ENTER)  # "Đăng ký khám bệnh"
        assert self.service.session.step == Step.IDENTIFY
        self.assert_ring_round("submit")
        await self.press(*(256 + int(d) for d in TYPED_ID[:-1]), 256 + 7, 266)  # a wrong last digit, erased
        assert self.voice.last.startswith("Đã xóa.")
        await self.press(256 + int(TYPED_ID[-1]))
        assert self.service.session.typed == TYPED_ID
        assert self.voice.last == "không"
        await self.press(ENTER)
        assert self.service.session.step == Step.VISIT_TYPE
        await self.press(ENTER, ENTER, ENTER)
        assert self.service.session.step == Step.DONE
        self.assert_ticket_said()
        await self.press(ESCAPE, ENTER)

    async def lookup_left_idle(self) -> None:
        await self.press(F1, DOWN, ENTER)  # the voice on, "Tra cứu quyền lợi"
        assert self.service.session.step == Step.IDENTIFY
        await self.press(*(256 + int(d) for d in LOOKUP_ID), ENTER)
        assert self.service.session.step == Step.BENEFIT
        assert "Bạn được hưởng tám mươi phần trăm" in self.voice.last
        mark = len(self.voice.said)
        self.clock.offset += self.service.config.idle_after_s + 1  # the patient stops answering
        await asyncio.sleep(1.3)
        await self.settle()
        assert self.service.session.idle_warning_since is not None
        assert self.heard_since(mark)[0].startswith("Bạn còn ở đây không? Phiên sẽ kết thúc sau hai mươi lăm giây.")
        self.assert_ring_round("more_time")
        self.clock.offset += self.service.config.warning_s - 9  # near the end: a last reminder
        await asyncio.sleep(1.3)
        assert self.voice.last.startswith("Còn ")
        assert self.voice.last.endswith("Nhấn phím bất kỳ để tiếp tục.")
        assert self.service.session.idle_warning_since is not None
        await self.press(DOWN)  # any key gives more time
        assert self.service.session.idle_warning_since is None
        assert self.service.session.step == Step.BENEFIT
        assert self.voice.last.startswith("Kết quả tra cứu") or "tám mươi phần trăm" in self.voice.last

    def assert_ticket_said(self) -> None:
        from kiosk.speech.prompts import phrase

        ticket = self.service.session.ticket
        assert ticket is not None
        assert self.voice.last.startswith(phrase("ticket.number", "vi", number=ticket.number))

    def assert_ring_round(self, choice_id: str) -> None:
        from kiosk.screens.focus import OUTER_GAP
        from kiosk.screens.pilot import screenshot

        root = self.app.root
        target = root.idle.ids.more_time if choice_id == "more_time" else root.focus_target(choice_id)
        root.show_focus(self.app.keypad.guide.focused.id)
        assert root.focus.box is not None, "no focus ring drawn"
        x, y = target.to_window(*target.pos)
        assert root.focus.box == (x, y, target.width, target.height)
        path = screenshot(root, self.shots / f"focus-{choice_id.replace(':', '-')}.png")
        from PIL import Image

        with Image.open(path) as shot:
            # Just outside the target's left edge, half way up: the ring's yellow (PNG rows count from the top).
            row = int(SIZE[1] - (y + target.height / 2))
            ring = [shot.getpixel((int(x - d), row)) for d in range(2, int(OUTER_GAP) + 6)]
        assert any(p[0] > 200 and p[1] > 170 and p[2] < 80 for p in ring), f"no yellow ring by {choice_id}: {ring}"
        assert any(max(p[:3]) < 60 for p in ring), f"no black ring by {choice_id}: {ring}"
