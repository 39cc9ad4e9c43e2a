"""One patient's walk through the real Kivy kiosk by keyboard events only, with the speech guide wired in.

Run as its own process (Kivy allows one App per process) by tests/speech/test_kivy_keys.py:
    python -m tests.speech.kivy_key_walk check_in|benefit_lookup OUT.json
The guide is wired by the composition root (`build_app(..., guide=...)`): it follows every render, and the window's
`on_key_down` sends `guide.key_down(...)`'s events to the flow. Prints nothing; writes what happened as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.app import build_app, prepare_kivy, run_app
from kiosk.domain.dates import parse_iso_partial_date as dob
from kiosk.flow.events import CardPresented
from kiosk.flow.fakes import FakeHis, FakePrinter, answer_for
from kiosk.flow.records import IdentifierKind, IdentitySource, PatientRecord, PresentedIdentity
from kiosk.flow.service import FlowService
from kiosk.flow.transition import FlowConfig
from kiosk.speech.fake import RecordingVoice
from kiosk.speech.guide import SpeechGuide

ID_NUMBER = "001089012345"
SIZE = (1080, 1920)
UP, DOWN, ENTER, F1 = 273, 274, 13, 282
CHIP = PresentedIdentity(
    IdentitySource.CHIP, IdentifierKind.CCCD, ID_NUMBER, "Nguyễn Thị Ánh", dob("1989-02-01"), id_number=ID_NUMBER
)


def _service() -> FlowService:
    his = FakeHis()
    his.patients[(IdentifierKind.CCCD, ID_NUMBER)] = PatientRecord(
        "P1", "Nguyễn Thị Ánh", dob("1989-02-01"), "••••2345"
    )
    valid = {"valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31), "valid_today": True}
    his.answers[ID_NUMBER] = [answer_for("000", benefit_level=4, benefit_percent=80, **valid)]
    return FlowService(FlowConfig("Bệnh viện Đa khoa Demo"), his, FakePrinter())


async def _walk(scenario: str, service: FlowService, guide: SpeechGuide, voice: RecordingVoice) -> dict[str, Any]:
    from kivy.core.window import Window

    from kiosk.screens.pilot import frames

    presses = 0
    steps: list[str] = []

    await frames(12)

    async def press(*keys: int) -> None:
        nonlocal presses
        for key in keys:
            presses += 1
            Window.dispatch("on_key_down", key, 0, None, [])
            Window.dispatch("on_key_up", key, 0)
            await service.idle()
            await frames(2)
            steps.append(service.session.step.value)

    await press(F1)
    if scenario == "check_in":
        service.dispatch(CardPresented(CHIP))  # the card on the reader: a device, not a key
        await service.idle()
        await frames(2)
        await press(ENTER)  # "Khám bảo hiểm y tế"
        await press(DOWN, ENTER)  # "Khoa Nhi"
        await press(ENTER)  # "Lấy số thứ tự"
    else:
        await press(DOWN, ENTER)  # "Tra cứu quyền lợi"
        await press(*(256 + int(d) for d in ID_NUMBER), ENTER)
    return {
        "presses": presses,
        "steps": steps,
        "final_step": service.session.step.value,
        "said": [text for text, _language, _volume in voice.said],
        "ticket": service.session.ticket.number if service.session.ticket else None,
    }


def main(scenario: str, out: Path) -> None:
    prepare_kivy(SIZE, headless=True)
    service = _service()
    voice = RecordingVoice()
    guide = SpeechGuide(voice)
    app = build_app(service, monotonic=time.monotonic, guide=guide)
    result = asyncio.run(run_app(app, service, lambda: _walk(scenario, service, guide, voice)))
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
