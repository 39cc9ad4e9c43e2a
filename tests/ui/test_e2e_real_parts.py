"""The whole kiosk on real parts, as a patient uses it: the emulated CCCD chip card on pcscd (vpcd), the hub on
loopback HTTP (uvicorn, SQLite file, BHXH simulator), the ESC/POS printer stack over TCP to the test printer, and
the Kivy screens driven by touches. The patient places the card, shows its QR (the camera is simulated: its
payload goes to the chip bridge), chooses BHYT and a department, takes a number; the ticket that comes out of the
printer carries the number the hub issued.

Its own process (run_tests.py runs each tests/ui module alone): one Kivy app, one pcscd, and libpcsclite reads
PCSCLITE_CSOCK_NAME once per process, so it is set here before anything touches PC/SC.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.pcsc_daemon import FIRST_READER, PcscDaemon, running_pcscd

_PCSCD_DIR = Path(tempfile.mkdtemp(prefix="pcsc-e2e-"))
os.environ["PCSCLITE_CSOCK_NAME"] = str(PcscDaemon.socket_path_in(_PCSCD_DIR))

pytestmark = [pytest.mark.ui, pytest.mark.pcsc, pytest.mark.slow, pytest.mark.timeout(180)]
MORNING = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


@pytest.fixture(scope="module")
def pcscd() -> Iterator[PcscDaemon]:
    try:
        with running_pcscd(_PCSCD_DIR) as daemon:
            yield daemon
    finally:
        shutil.rmtree(_PCSCD_DIR, ignore_errors=True)


def test_a_patient_places_the_card_and_the_printed_number_is_the_hubs(pcscd: PcscDaemon, tmp_path: Path) -> None:
    from kiosk.app import prepare_kivy

    prepare_kivy((1080, 1920), headless=True)
    result = asyncio.run(_run(pcscd, tmp_path))
    printed, issued, identity_source = result
    assert identity_source == "chip"
    assert printed == [issued]  # the hub's display number, as the screen shows it


async def _run(pcscd: PcscDaemon, tmp_path: Path) -> tuple[list[str], str, str]:
    import httpx

    from kiosk.app import build_app, run_app
    from kiosk.backend_client.client import HisClient
    from kiosk.domain.dates import VN_TZ
    from kiosk.embedded_hub import embedded_hub
    from kiosk.flow.chip_bridge import ChipBridge
    from kiosk.flow.service import FlowService
    from kiosk.flow.transition import FlowConfig
    from kiosk.hardware.chip.adapter_pyscard import PcscReaderSettings, PyscardChipReader
    from kiosk.hardware.printer.blocks import PrinterProfile
    from kiosk.hardware.printer.ticket_printer import EscposTicketPrinter
    from kiosk_hub.app import create_app
    from kiosk_hub.bhxh.demo_cards import DemoCard
    from tests.hub.servers import serve_in_thread
    from tests.support.emulated_card import EmulatedCccd
    from tests.support.emulated_card_data import build_card
    from tests.support.emulated_card_vpcd import VpcdCardLink
    from tests.support.escpos_fake import FakePrinterServer
    from tests.support.escpos_parser import Text

    files = build_card()
    person = files.card
    printer_server = FakePrinterServer().start()
    printer = EscposTicketPrinter.from_uri(printer_server.uri, PrinterProfile())
    reader = PyscardChipReader(PcscReaderSettings(FIRST_READER, [], read_deadline_s=5.0))
    link = VpcdCardLink(EmulatedCccd(files), pcscd.netns)
    try:
        async with embedded_hub(tmp_path, lambda: MORNING) as hub:
            # The insurance gateway knows this person's card (an invented one, valid this year).
            dob = person.date_of_birth.strftime("%d/%m/%Y")
            sex = "1" if person.sex.value == "male" else "2"
            card = DemoCard("000", "DN4010199999999", "0199999999", person.id_number, person.full_name, dob, sex)
            hub.gateway.cards = (*hub.gateway.cards, card)
            with serve_in_thread(create_app(hub.hub, background=False)) as url:
                async with httpx.AsyncClient(base_url=url) as http:
                    his = HisClient(http, token=hub.token)
                    config = FlowConfig(hospital_name="Bệnh viện Đa khoa Demo")
                    service = FlowService(config, his, printer, wall=lambda: MORNING.astimezone(VN_TZ))
                    bridge = ChipBridge(reader, service)
                    watching = asyncio.ensure_future(bridge.watch())
                    app = build_app(service, monotonic=time.monotonic)
                    try:
                        source, issued = await run_app(app, service, lambda: _patient(app, service, bridge, link))
                    finally:
                        watching.cancel()
    finally:
        await reader.close()
        printer.close()
        printer_server.power_off()
    papers = printer_server.printer.tickets()
    printed = [e.text for paper in papers for e in paper if isinstance(e, Text)]
    return printed, issued, source


async def _patient(app: object, service: object, bridge: object, link: object) -> tuple[str, str]:
    from kiosk.domain.cccd_qr import CccdQr, format_cccd_qr
    from kiosk.flow.state import Step
    from kiosk.screens.pilot import frames, tap

    root = app.root  # type: ignore[attr-defined]
    await frames(12)

    async def until(step: Step, seconds: float = 20.0) -> None:
        deadline = time.monotonic() + seconds
        while service.session.step != step:  # type: ignore[attr-defined]
            assert time.monotonic() < deadline, f"waited for {step}, at {service.session.step}"  # type: ignore[attr-defined]
            await asyncio.sleep(0.05)
        await frames(3)

    await asyncio.to_thread(link.insert)  # type: ignore[attr-defined]
    deadline = time.monotonic() + 15
    while service.session.notice_key != "identify.show_card_qr":  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "the kiosk never noticed the card"
        await asyncio.sleep(0.05)
    files_card = link.card.files.card  # type: ignore[attr-defined]
    qr = CccdQr(
        files_card.id_number,
        None,
        files_card.full_name,
        files_card.date_of_birth,
        files_card.sex,
        files_card.place_of_residence,
        files_card.issue_date,
    )
    bridge.qr_scanned(format_cccd_qr(qr))  # type: ignore[attr-defined]
    await until(Step.VISIT_TYPE)
    source = service.session.identity.source.value  # type: ignore[attr-defined]
    await tap(root, "Khám bảo hiểm y tế")
    await until(Step.DEPARTMENT)
    department = next(d for d in service.session.departments if d.open_now)  # type: ignore[attr-defined]
    await tap(root, department.name.vi)
    await until(Step.CONFIRM)
    await tap(root, "Lấy số thứ tự")
    await until(Step.DONE)
    issued = service.session.ticket.display_number  # type: ignore[attr-defined]
    await asyncio.to_thread(link.pull)  # type: ignore[attr-defined]
    await until(Step.HOME)  # card taken: the session is wiped
    return source, issued
