"""The patient's call for help, from any screen: the pure flow (never moves the patient, not sent twice, a late
answer for a patient who left is dropped) and the service over the fake HIS (sent, refused, no help port)."""

from __future__ import annotations

from kiosk.flow.effects import CallForHelp
from kiosk.flow.events import AskForHelp, Cancel, CardPresented, HelpAnswered, StartCheckIn
from kiosk.flow.fakes import FakeHis, FakePrinter
from kiosk.flow.service import FlowService
from kiosk.flow.state import HelpCall, Step
from kiosk.flow.transition import FlowConfig
from tests.flow.driver import CHIP, Driver
from tests.flow.test_service import his_with_patient


def test_asking_keeps_the_patient_where_they_are_and_sends_one_call() -> None:
    flow = Driver()
    flow.send(StartCheckIn())
    assert flow.step == Step.IDENTIFY
    effects = flow.send(AskForHelp())
    assert effects == (CallForHelp(flow.session.generation, "", "identify"),)
    assert (flow.step, flow.session.help) == (Step.IDENTIFY, HelpCall.CALLING)
    assert flow.send(AskForHelp()) == ()  # pressed again while calling
    flow.send(HelpAnswered(flow.session.generation, sent=True))
    assert flow.session.help is HelpCall.SENT
    assert flow.send(AskForHelp()) == ()  # the staff were told


def test_a_busy_screen_still_takes_the_call_and_the_hub_away_lets_the_patient_ask_again() -> None:
    flow = Driver()
    flow.send(CardPresented(CHIP))
    assert flow.step == Step.FINDING_PATIENT  # a spinner: other touches change nothing
    (call,) = flow.send(AskForHelp())
    assert isinstance(call, CallForHelp)
    assert call.screen == "finding_patient"
    flow.send(HelpAnswered(flow.session.generation, sent=False))
    assert flow.session.help is HelpCall.HUB_AWAY
    assert len(flow.send(AskForHelp())) == 1  # not sent: asking again tries again


def test_an_answer_for_a_patient_who_left_is_dropped() -> None:
    flow = Driver()
    flow.send(AskForHelp())
    asked_for = flow.session.generation
    flow.send(Cancel())
    assert flow.session.help is None
    flow.send(HelpAnswered(asked_for, sent=True))
    assert flow.session.help is None


async def test_the_service_sends_the_kiosks_location_and_says_when_it_could_not() -> None:
    his = his_with_patient("000")
    config = FlowConfig("Bệnh viện Đa khoa Demo", kiosk_location="Sảnh tầng 1, nhà A")
    service = FlowService(config, his, FakePrinter())
    service.dispatch(AskForHelp())
    await service.idle()
    assert service.session.help is HelpCall.SENT
    assert his.help_calls == [("Sảnh tầng 1, nhà A", "home")]
    service.dispatch(Cancel())
    his.failing.add("call_for_help")
    service.dispatch(AskForHelp())
    await service.idle()
    assert service.session.help is HelpCall.HUB_AWAY
    assert not service.hub_ok  # the status strip says the network is down too


async def test_a_call_under_way_outlives_the_patients_session() -> None:
    his = FakeHis()
    service = FlowService(FlowConfig("Bệnh viện Đa khoa Demo"), his, FakePrinter())
    service.dispatch(AskForHelp())
    service.dispatch(Cancel())  # the idle wipe while the call is in flight: the staff still come
    await service.idle()
    assert his.help_calls == [("", "home")]


class NoHelpHis:
    """A HIS port without the help calls (an older hub client)."""

    def __init__(self) -> None:
        self._inner = FakeHis()

    def __getattr__(self, name: str) -> object:
        if name == "call_for_help":
            raise AttributeError(name)
        return getattr(self._inner, name)


async def test_without_a_help_port_the_patient_is_sent_to_the_desk() -> None:
    service = FlowService(FlowConfig("Bệnh viện Đa khoa Demo"), NoHelpHis(), FakePrinter())  # type: ignore[arg-type]
    service.dispatch(AskForHelp())
    await service.idle()
    assert service.session.help is HelpCall.HUB_AWAY
    assert service.session.step == Step.HOME
