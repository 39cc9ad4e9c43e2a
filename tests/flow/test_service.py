"""The flow service on a real asyncio loop: effects run through the ports, answers come back as events, work in
flight is dropped when the session is wiped, and port failures become what the patient sees."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date

from kiosk.domain.dates import PartialDate
from kiosk.domain.ticket import VisitType
from kiosk.flow.alerts import LoggingAlerts
from kiosk.flow.events import (
    CardPresented,
    CardRemoved,
    ChooseDepartment,
    ChooseVisit,
    Confirm,
    EntitlementChecked,
)
from kiosk.flow.fakes import FakeHis, FakePrinter, FakePrinterStatus, answer_for
from kiosk.flow.records import EntitlementAnswer, IdentifierKind
from kiosk.flow.service import FlowService
from kiosk.flow.state import Session, Step
from tests.flow.driver import CHIP, CONFIG, PATIENT

VALID = {"valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31), "valid_today": True}


def make(his: FakeHis, printer: FakePrinter) -> tuple[FlowService, list[Session]]:
    service = FlowService(CONFIG, his, printer, alerts=LoggingAlerts())
    seen: list[Session] = []
    service.subscribe(seen.append)
    return service, seen


def alerts_of(service: FlowService) -> list[str]:
    assert isinstance(service.alerts, LoggingAlerts)
    return list(service.alerts.recent)


def his_with_patient(code: str = "000") -> FakeHis:
    his = FakeHis()
    his.patients[(IdentifierKind.CCCD, CHIP.lookup_value)] = PATIENT
    his.answers[CHIP.lookup_value] = [answer_for(code, **VALID)]
    return his


async def check_in_until_confirm(service: FlowService) -> None:
    service.dispatch(CardPresented(CHIP))
    await service.idle()
    service.dispatch(ChooseVisit(VisitType.BHYT))
    await service.idle()
    service.dispatch(ChooseDepartment("NOI"))


async def check_in(service: FlowService) -> None:
    await check_in_until_confirm(service)
    service.dispatch(Confirm())
    await service.idle()


async def test_a_check_in_runs_every_effect_and_prints_the_issued_number() -> None:
    his, printer = his_with_patient(), FakePrinter()
    service, seen = make(his, printer)
    await check_in(service)
    assert service.session.step == Step.DONE
    assert [t.queue_number for t in printer.tickets] == [1]
    assert his.checks == [("001089012345", "Nguyễn Văn An", PartialDate(1989, 2, 1))]
    steps = [s.step for s in seen]
    assert steps.index(Step.FINDING_PATIENT) < steps.index(Step.VISIT_TYPE) < steps.index(Step.PRINTING)


async def test_a_new_patient_is_registered_then_checked() -> None:
    his, printer = FakeHis(), FakePrinter()
    his.answers[CHIP.lookup_value] = [answer_for("000", **VALID)]
    service, _ = make(his, printer)
    service.dispatch(CardPresented(CHIP))
    await service.idle()
    assert service.session.step == Step.VISIT_TYPE
    assert his.patients[(IdentifierKind.CCCD, CHIP.lookup_value)].full_name == "Nguyễn Văn An"


async def test_a_paper_out_printer_is_found_before_the_number_is_taken_and_it_is_alerted() -> None:
    his, printer = his_with_patient(), FakePrinter(paper_out=True)
    service, _ = make(his, printer)
    await check_in(service)
    assert (service.session.step, service.session.notice_key) == (Step.PRINTER_NOT_READY, "printer.paper_out")
    assert his.tickets == {}  # nothing committed at the hub
    assert alerts_of(service) == ["printer_paper_out"]
    assert not service.printer_ok
    service.dispatch(Confirm())  # the number on screen
    await service.idle()
    assert service.session.step == Step.SCREEN_TICKET
    assert service.session.ticket is not None
    assert printer.tickets == []
    assert printer.checks == 1


@dataclass
class RollEndsAfterTheCheck(FakePrinter):
    async def check(self) -> FakePrinterStatus:
        status = await super().check()
        self.paper_out = True  # the roll ends between the check and the job
        return status


async def test_a_printer_that_fails_while_printing_still_puts_the_ticket_on_screen() -> None:
    his, printer = his_with_patient(), RollEndsAfterTheCheck()
    service, _ = make(his, printer)
    await check_in(service)
    assert (service.session.step, service.session.notice_key) == (Step.SCREEN_TICKET, "printer.failed")


async def test_a_printer_that_does_not_answer_the_check_is_not_ready() -> None:
    his, printer = his_with_patient(), FakePrinter(silent=True)
    service, _ = make(his, printer)
    await check_in(service)
    assert (service.session.step, service.session.notice_key) == (Step.PRINTER_NOT_READY, "printer.failed")
    assert alerts_of(service) == ["printer_error"]


async def test_a_hub_that_fails_shows_its_message_and_can_be_retried() -> None:
    his, printer = his_with_patient(), FakePrinter()
    his.failing.add("find_patient")
    service, _ = make(his, printer)
    service.dispatch(CardPresented(CHIP))
    await service.idle()
    assert (service.session.step, service.session.notice_key) == (Step.HUB_FAILED, "hub.unavailable")
    his.failing.clear()
    from kiosk.flow.events import TryAgain

    service.dispatch(TryAgain())
    await service.idle()
    assert service.session.step == Step.VISIT_TYPE


async def test_a_configuration_fault_alerts_it_and_prints_a_desk_slip() -> None:
    his, printer = his_with_patient("054"), FakePrinter()
    service, _ = make(his, printer)
    service.dispatch(CardPresented(CHIP))
    await service.idle()
    assert alerts_of(service) == ["bhxh_054"]
    assert [s.reason_code for s in printer.slips] == ["bhxh_054"]
    assert service.session.step == Step.DESK


@dataclass
class SlowHis(FakeHis):
    gate: asyncio.Event = field(default_factory=asyncio.Event)

    async def check_entitlement(
        self, card_code: str, full_name: str, date_of_birth: PartialDate | None, patient_id: str | None
    ) -> EntitlementAnswer:
        await self.gate.wait()
        return await super().check_entitlement(card_code, full_name, date_of_birth, patient_id)


async def test_card_removal_cancels_work_in_flight_and_nothing_leaks_into_the_next_session() -> None:
    his, printer = SlowHis(), FakePrinter()
    his.patients[(IdentifierKind.CCCD, CHIP.lookup_value)] = PATIENT
    his.answers[CHIP.lookup_value] = [answer_for("000", **VALID)]
    service, _ = make(his, printer)
    service.dispatch(CardPresented(CHIP))
    for _ in range(5):
        await asyncio.sleep(0)
    assert service.session.step == Step.CHECKING_ENTITLEMENT
    service.dispatch(CardRemoved())
    his.gate.set()
    await service.idle()
    assert service.session == Session(
        generation=1, last_activity=service.session.last_activity, step_entered_at=service.session.step_entered_at
    )
    # A late answer for the old generation changes nothing either.
    service.dispatch(EntitlementChecked(0, answer_for("000")))
    assert service.session.step == Step.HOME


async def test_ticks_drive_the_idle_warning() -> None:
    now = [0.0]
    service = FlowService(CONFIG, FakeHis(), FakePrinter(), monotonic=lambda: now[0])
    from kiosk.flow.events import StartCheckIn

    service.dispatch(StartCheckIn())
    ticking = asyncio.ensure_future(service.tick_forever(period_s=0.001))
    now[0] = 46.0
    await asyncio.sleep(0.02)
    assert service.session.idle_warning_since == 46.0
    now[0] = 72.0
    await asyncio.sleep(0.02)
    ticking.cancel()
    assert service.session.step == Step.HOME


async def test_the_status_strip_learns_when_the_printer_or_the_hub_fail() -> None:
    his, printer = his_with_patient(), FakePrinter(paper_out=True)
    service, _ = make(his, printer)
    await check_in(service)
    assert (service.printer_ok, service.hub_ok) == (False, True)
    his.failing.add("find_patient")
    from kiosk.flow.events import Cancel

    service.dispatch(Cancel())
    service.dispatch(CardPresented(CHIP))
    await service.idle()
    assert service.hub_ok is False
