"""The remote configuration inside a running kiosk (the real flow service over the flow's fakes): live fields, the
departments shown, the printer swapped and probed, the funnel fed from sessions, the screenshot fits the hub."""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from PIL import Image

from kiosk.domain.ticket import QueueTicket, VisitType
from kiosk.flow.events import Cancel, CardPresented, ChooseDepartment, ChooseVisit, Confirm
from kiosk.flow.fakes import FakeHis, FakePrinter, answer_for
from kiosk.flow.ports import PortError
from kiosk.flow.records import IdentifierKind
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.remote_config import live
from kiosk.remote_config.funnel import FunnelTally
from kiosk.remote_config.funnel_feed import FunnelFeed
from kiosk.remote_config.schema import ActionResult, RemoteConfig
from kiosk.remote_config.screenshot import fit_png
from kiosk.runtime.fleet import RunningKiosk
from tests.flow.driver import CHIP, CONFIG, PATIENT

VALID = {"valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31), "valid_today": True}


class JamsOnPrint(FakePrinter):
    """Says "ready", then the paper jams on the ticket."""

    async def print_ticket(self, ticket: QueueTicket) -> None:
        raise PortError("printer.failed")


async def check_in(service: FlowService) -> None:
    for event in (CardPresented(CHIP), ChooseVisit(VisitType.BHYT), ChooseDepartment("NOI"), Confirm()):
        service.dispatch(event)
        await service.idle()


@dataclass
class ReaderThere:
    reader_ok: bool = True


def running(his: FakeHis, printer: FakePrinter, printers: dict[str, FakePrinter] | None = None) -> RunningKiosk:
    pool = {"VIRTUAL": printer, **(printers or {})}  # the settings file's printer, built again after a revert
    shown = live.ShownDepartments(his)
    lp = live.LivePrinter(printer, "VIRTUAL", 80)

    def make(uri: str, _paper: int) -> FakePrinter:
        if uri not in pool:
            raise OSError("no such printer")
        return pool[uri]

    return RunningKiosk(
        FlowService(CONFIG, shown, lp), CONFIG, lp, shown, make, "VIRTUAL", 80,
        reader=ReaderThere(), camera=None, app=None,
    )  # fmt: skip


def patient_his() -> FakeHis:
    his = FakeHis()
    his.patients[(IdentifierKind.CCCD, CHIP.lookup_value)] = PATIENT
    his.answers[CHIP.lookup_value] = [answer_for("000", **VALID), answer_for("000", **VALID)]
    return his


def test_fields_left_unset_keep_the_kiosks_own_settings() -> None:
    assert live.flow_config(CONFIG, RemoteConfig()) == CONFIG
    changed = RemoteConfig.model_validate(
        {"idle": {"screen_seconds": 90, "wipe_after_warning_seconds": 30}, "ticket": {"header_vi": "BV Nhi Trung ương"}}
    )
    applied = live.flow_config(CONFIG, changed)
    assert (applied.idle_after_s, applied.warning_s, applied.hospital_name) == (90.0, 30.0, "BV Nhi Trung ương")
    only_idle = live.flow_config(CONFIG, RemoteConfig.model_validate({"idle": {"screen_seconds": 90}}))
    assert (only_idle.idle_after_s, only_idle.warning_s) == (90.0, CONFIG.warning_s)
    assert live.printer_uri(RemoteConfig(), "VIRTUAL") == "VIRTUAL"
    assert live.at_start(RemoteConfig(), "ACS", "0") == ("ACS", "0")
    assert live.at_start(
        RemoteConfig.model_validate({"reader_name": "HID", "camera": {"device": "2"}}), "ACS", "0"
    ) == (
        "HID",
        "2",
    )


async def test_applied_config_changes_the_running_flow_departments_and_printer() -> None:
    spare = FakePrinter()
    kiosk = running(patient_his(), FakePrinter(), {"tcp://10.0.0.9:9100": spare})
    config = RemoteConfig.model_validate(
        {"departments_shown": ["NHI"], "idle": {"screen_seconds": 120}, "printer": {"uri": "tcp://10.0.0.9:9100"}}
    )
    await kiosk.apply(config)
    assert kiosk.service.config.idle_after_s == 120.0
    assert kiosk.printer.current is spare
    assert (await kiosk.printer_probe(config)).ok
    kiosk.service.dispatch(CardPresented(CHIP))
    await kiosk.service.idle()
    kiosk.service.dispatch(ChooseVisit(VisitType.BHYT))
    await kiosk.service.idle()
    assert [d.id for d in kiosk.service.session.departments] == ["NHI"]
    assert kiosk.session_active()
    assert await kiosk.test_print() == ActionResult(ok=False, detail="patient_session_active")


async def test_a_printer_uri_that_cannot_be_opened_fails_the_probe_and_the_test_print() -> None:
    kiosk = running(FakeHis(), FakePrinter())
    config = RemoteConfig.model_validate({"printer": {"uri": "usb://dead:beef"}})
    await kiosk.apply(config)
    outcome = await kiosk.printer_probe(config)
    assert not outcome.ok
    assert "cannot_open" in outcome.detail
    assert not (await kiosk.test_print()).ok
    await kiosk.apply(RemoteConfig())  # the agent's revert: back to the settings file's printer
    assert (await kiosk.test_print()).ok


async def test_the_funnel_counts_a_check_in_and_a_print_failure_from_the_sessions() -> None:
    printer = FakePrinter()
    kiosk = running(patient_his(), printer)
    tally = FunnelTally(lambda: datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    kiosk.service.subscribe(FunnelFeed(tally))
    await check_in(kiosk.service)
    first_step = kiosk.service.session.step
    kiosk.service.dispatch(Cancel())
    kiosk.printer.swap(JamsOnPrint(), "VIRTUAL", 80)
    await check_in(kiosk.service)  # the next patient: the number is issued, the paper jams
    assert (first_step, kiosk.service.session.step) == (Step.DONE, Step.SCREEN_TICKET)
    _day, counters = tally.snapshot()
    assert counters.identifications == {"chip": 2}
    assert counters.entitlement_actions == {"000": 2}
    assert (counters.tickets, counters.print_failures) == (2, 1)
    dump = counters.model_dump_json()
    assert CHIP.lookup_value not in dump
    assert PATIENT.full_name not in dump


def test_trust_anchors_from_the_console_become_pem_files_for_the_reader(tmp_path: Path) -> None:
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    directory = tmp_path / "anchors"
    paths = live.trust_anchor_files(RemoteConfig(trust_anchors_pem=[pem, pem]), directory)
    assert [p.read_text() for p in paths] == [pem, pem]
    assert live.trust_anchor_files(RemoteConfig(trust_anchors_pem=[pem]), directory) == [directory / "anchor-00.pem"]
    assert sorted(directory.iterdir()) == [directory / "anchor-00.pem"]  # a removed anchor is no longer trusted


def test_a_busy_screenshot_is_shrunk_until_it_fits_the_hubs_limit() -> None:
    noise = random.Random(7)
    image = Image.new("RGB", (1080, 1920))
    image.putdata([(noise.randrange(256), noise.randrange(256), noise.randrange(256)) for _ in range(1080 * 1920)])
    png = fit_png(image)
    assert len(base64.b64encode(png)) <= 60_000
    ActionResult(ok=True, screenshot_png_base64=base64.b64encode(png).decode())  # the hub's model accepts it
