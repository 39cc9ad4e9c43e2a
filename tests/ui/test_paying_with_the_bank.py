"""Paying the exam fee through the real Kivy kiosk (offscreen SDL), its HIS client over loopback HTTP to a real hub
(uvicorn, SQLite file), whose payment gateway is the loopback payOS (uvicorn) calling the hub back over HTTP.

One app per process (run_tests.py runs each tests/ui module alone), so this is one morning at the kiosk:
1. a patient whose card expired pays by touch: the price on the confirm screen, the QR screen read back by
   zxing-cpp from a screenshot (every VietQR field checked), nothing says "paid" until the bank confirms, then the
   ticket with the paid amount and the bank's reference (callback → ticket on the kiosk timed);
2. a patient in English, by keys and speech only, hears the amount and cancels: the hub is told;
3. a patient whose countdown runs out gets the cashier's slip; their transfer arrives late and still buys the
   ticket at the hub, shown on the payment's status page.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.app import build_app, prepare_kivy, run_app
from kiosk.domain.dates import VN_TZ
from kiosk.flow.events import CardPresented
from kiosk.flow.fakes import FakePrinter
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig

pytestmark = [pytest.mark.ui, pytest.mark.slow, pytest.mark.timeout(240)]
SIZE = (1080, 1920)
MORNING = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
UP, DOWN, ENTER, ESCAPE, F1 = 273, 274, 13, 27, 282
FEE = 150_000


class Clock:
    """The kiosk's monotonic clock, moved forward by the test to run a countdown out."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


def test_paying_the_exam_fee_at_the_kiosk(tmp_path: Path) -> None:
    prepare_kivy(SIZE, headless=True)
    report = asyncio.run(_run(tmp_path))
    print(f"\nbank callback → ticket on the kiosk's screen: {report['callback_to_ticket_ms']:.0f} ms")


async def _run(tmp_path: Path) -> dict[str, Any]:
    import httpx

    from kiosk.backend_client.client import HisClient
    from kiosk.backend_client.payments import PaymentClient
    from kiosk.domain.ticket import VisitType
    from kiosk.embedded_hub import embedded_hub
    from kiosk.speech.fake import RecordingVoice
    from kiosk.speech.guide import SpeechGuide
    from kiosk_hub.app import create_app
    from kiosk_hub.payments.fees import set_price
    from kiosk_hub.payments.payos_peer import PayOsPeer, create_payos_peer
    from tests.hub.payments.conftest import (
        ACCOUNT,
        ACCOUNT_NAME,
        API_KEY,
        BANK_BIN,
        CALLBACK_PATH,
        CHECKSUM_KEY,
        CLIENT_ID,
        payment_settings,
    )
    from tests.hub.servers import serve_in_thread

    peer = PayOsPeer(CLIENT_ID, API_KEY, CHECKSUM_KEY, BANK_BIN, ACCOUNT, ACCOUNT_NAME)
    with serve_in_thread(create_payos_peer(peer)) as peer_url:
        async with embedded_hub(tmp_path, lambda: MORNING, payments=payment_settings(peer_url)) as hub:
            with hub.hub.writer() as session:
                set_price(session, "NOI", VisitType.FEE, FEE, ("02.1896", "Khám Nội"), "it", MORNING)
                session.commit()
            with serve_in_thread(create_app(hub.hub, background=False), lifespan="on") as url:
                peer.webhook_url = url + CALLBACK_PATH
                async with httpx.AsyncClient(base_url=url) as http:
                    his = HisClient(http, token=hub.token)
                    clock, printer, voice = Clock(), FakePrinter(), RecordingVoice()
                    config = FlowConfig(hospital_name="Bệnh viện Đa khoa Demo")
                    service = FlowService(config, his, printer, payments=PaymentClient(his), monotonic=clock,
                                          wall=lambda: MORNING.astimezone(VN_TZ))  # fmt: skip
                    app = build_app(service, monotonic=clock, guide=SpeechGuide(voice, warning_s=config.warning_s))
                    morning = Morning(app, service, printer, voice, clock, peer, hub.hub, http, tmp_path)
                    result: dict[str, Any] = await run_app(app, service, morning.all)
                    return result


class Morning:
    def __init__(self, app: Any, service: FlowService, printer: FakePrinter, voice: Any, clock: Clock, peer: Any,
                 hub: Any, http: Any, shots: Path) -> None:  # fmt: skip
        self.app, self.service, self.printer, self.voice, self.clock = app, service, printer, voice, clock
        self.peer, self.hub, self.http, self.shots = peer, hub, http, shots

    @property
    def session(self) -> Any:
        return self.service.session

    async def until(self, test: Callable[[], bool], what: str, seconds: float = 20.0) -> None:
        from kiosk.screens.pilot import frames

        deadline = time.monotonic() + seconds
        while not test():
            assert time.monotonic() < deadline, f"waited for {what}; at {self.session.step}"
            await asyncio.sleep(0.02)
        await frames(3)

    async def at(self, step: Step) -> None:
        await self.until(lambda: self.session.step == step, step.value)

    async def press(self, *keys: int) -> None:
        from kivy.core.window import Window

        from kiosk.screens.pilot import frames

        for key in keys:
            Window.dispatch("on_key_down", key, 0, None, [])
            Window.dispatch("on_key_up", key, 0)
            await frames(3)

    def on_screen(self) -> str:
        from kiosk.screens.pilot import texts

        return "\n".join(texts(self.app.root))

    async def pay_in_another_thread(self, order_code: int, **kwargs: object) -> float:
        """The patient's bank: the transfer, and payOS's callback to the hub; when the callback was sent."""
        sent: list[float] = []

        def bank() -> None:
            body = self.peer.pay(order_code, at=MORNING, **kwargs)
            sent.append(time.monotonic())
            assert self.peer.deliver(body) == 200

        thread = threading.Thread(target=bank)
        thread.start()
        await asyncio.to_thread(thread.join)
        return sent[0]

    async def all(self) -> dict[str, Any]:
        from kiosk.screens.pilot import frames

        await frames(12)
        report = {"callback_to_ticket_ms": await self.pays_by_touch()}
        await self.cancels_by_keys_in_english()
        await self.runs_out_then_pays_late()
        return report

    async def start(self, card_code: str) -> None:
        from kiosk.demo.devices import chip_identity, demo_card

        self.service.dispatch(CardPresented(chip_identity(demo_card(card_code))))

    async def pays_by_touch(self) -> float:
        from kiosk.screens.pilot import screenshot, tap

        await self.start("010")  # an expired card: the visit is fee-paying
        await self.at(Step.ENTITLEMENT_PROBLEM)
        await tap(self.app.root, "Khám dịch vụ")
        await self.at(Step.DEPARTMENT)
        await tap(self.app.root, "Khoa Nội")
        await self.at(Step.CONFIRM)
        assert "150.000 đ" in self.on_screen()  # on the confirm screen, before the patient commits
        await tap(self.app.root, "Thanh toán 150.000 đ")
        await self.at(Step.PAYING)
        payment = self.session.payment
        shown = self.on_screen()
        assert "150.000 đ" in shown
        assert ACCOUNT_NAME_SHOWN in shown
        assert "Hủy" in shown
        assert "Còn 9:5" in shown or "Còn 10:00" in shown
        assert "đã thanh toán" not in shown.lower()
        read_back = _qr_payloads(screenshot(self.app.root, self.shots / "paying.png"))
        assert read_back == [payment.qr_payload]
        _assert_vietqr(read_back[0], payment.reference)
        assert self.printer.tickets == []
        sent = await self.pay_in_another_thread(int(payment.reference[2:]), reference="FT26327UI0001")
        await self.until(lambda: self.session.step == Step.DONE, "the ticket", 10)
        callback_to_ticket = (time.monotonic() - sent) * 1000
        (ticket,) = self.printer.tickets
        assert ticket.payment is not None
        assert (ticket.payment.paid, ticket.payment.bank_reference) == (True, "FT26327UI0001")
        assert ticket.payment.amount_vnd == FEE
        assert "Đã thanh toán 150.000 đ · Mã giao dịch FT26327UI0001" in self.on_screen()
        await tap(self.app.root, "Xong")
        await self.at(Step.HOME)
        return callback_to_ticket

    async def cancels_by_keys_in_english(self) -> None:
        await self.press(F1)  # the voice on
        await self.press(DOWN, DOWN, ENTER)  # "English"
        assert self.session.language == "en"
        await self.start("010")
        await self.at(Step.ENTITLEMENT_PROBLEM)
        await self.press(ENTER)  # "Pay for the visit myself"
        await self.at(Step.DEPARTMENT)
        await self.press(DOWN, ENTER)  # the second department, Internal Medicine
        await self.at(Step.CONFIRM)
        assert "Exam fee" in self.on_screen()
        assert "The exam fee is one hundred fifty thousand dong" in self.voice.last
        await self.press(ENTER)  # "Pay the exam fee by QR code"
        await self.at(Step.PAYING)
        assert "Cancel" in self.on_screen()
        assert "The amount to pay is one hundred fifty thousand dong." in self.voice.last
        assert "The money goes to the account of BENH VIEN DA KHOA DEMO." in self.voice.last
        payment_id = self.session.payment.id
        await self.press(ESCAPE, ENTER)  # Back goes to "Cancel" and says it; Select leaves
        await self.at(Step.HOME)
        answer = await self.http.get(f"/p/{_token(self.hub, payment_id)}")
        assert "Chưa nhận được tiền" in answer.text  # the hub was told the patient left
        assert _state(self.hub, payment_id) == "abandoned"

    async def runs_out_then_pays_late(self) -> None:
        await self.press(F1)
        await self.start("010")
        await self.at(Step.ENTITLEMENT_PROBLEM)
        await self.press(ENTER, DOWN, ENTER)  # fee-paying, Khoa Nội
        await self.at(Step.CONFIRM)
        await self.press(ENTER)
        await self.at(Step.PAYING)
        payment = self.session.payment
        self.clock.offset += payment.expires_in_s + 1  # the patient never finishes paying at the kiosk
        await self.at(Step.DESK)
        slip = self.printer.slips[-1]
        assert (slip.reason_code, slip.payment.reference) == ("payment_unconfirmed", payment.reference)
        assert slip.data_qr_payload == payment.status_url
        await self.until(lambda: _state(self.hub, payment.id) == "abandoned", "the hub told")
        await self.pay_in_another_thread(int(payment.reference[2:]))  # the transfer was on its way
        assert _state(self.hub, payment.id) == "ticket_issued"
        page = await self.http.get(f"/p/{_token(self.hub, payment.id)}")
        assert "Đã thanh toán" in page.text
        assert 'id="number"' in page.text  # its number, for the cashier and the patient's phone


ACCOUNT_NAME_SHOWN = "BENH VIEN DA KHOA DEMO"


def _qr_payloads(path: Path) -> list[str]:
    import zxingcpp
    from PIL import Image

    with Image.open(path) as image:
        return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


def _assert_vietqr(payload: str, reference: str) -> None:
    from kiosk.domain.vietqr import parse_tlv

    fields = parse_tlv(payload)
    assert (fields["00"], fields["01"], fields["53"], fields["54"], fields["58"]) == ("01", "12", "704", "150000", "VN")
    merchant = parse_tlv(fields["38"])
    assert (merchant["00"], merchant["02"]) == ("A000000727", "QRIBFTTA")
    assert parse_tlv(merchant["01"]) == {"00": "970422", "01": "0123456789"}
    assert parse_tlv(fields["62"]) == {"08": reference}


def _state(hub: Any, payment_id: str) -> str:
    from kiosk_hub.payments.models import Payment

    with hub.reader() as session:
        found = session.get(Payment, payment_id)
        return str(found.state) if found else ""


def _token(hub: Any, payment_id: str) -> str:
    from kiosk_hub.payments.models import Payment

    with hub.reader() as session:
        found = session.get(Payment, payment_id)
        return str(found.public_token)
