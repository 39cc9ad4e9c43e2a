"""The hidden maintenance screen: PIN on the keypad, test print, three wrong PINs close it and alert IT."""

from __future__ import annotations

from dataclasses import replace

from kiosk.flow.effects import AlertIt, PrintDeskSlip, SessionWiped
from kiosk.flow.events import (
    Back,
    CardPresented,
    KeypadDigit,
    KeypadSubmit,
    OpenMaintenance,
    Printed,
    PrintFailed,
    PrintTestSlip,
    StartCheckIn,
)
from kiosk.flow.machine import step
from kiosk.flow.maintenance import pin_digest
from kiosk.flow.state import Session, Step
from kiosk.flow.transition import Context
from tests.flow.driver import CHIP, CONFIG, WALL, Driver

WITH_PIN = replace(CONFIG, maintenance_pin_sha256=pin_digest("2468"), kiosk_name="sanh-a-01")


class StaffDriver(Driver):
    def send(self, event):  # type: ignore[no-untyped-def]
        result = step(self.session, event, Context(now=self.now, wall=WALL, fresh_key="k"), WITH_PIN)
        self.session = result.session
        return result.effects


def type_pin(d: Driver, pin: str) -> tuple[object, ...]:
    for digit in pin:
        d.send(KeypadDigit(digit))
    return d.send(KeypadSubmit())


def test_the_right_pin_opens_maintenance_and_a_test_print_reports_back() -> None:
    d = StaffDriver()
    d.send(OpenMaintenance())
    assert d.step == Step.MAINTENANCE_PIN
    type_pin(d, "2468")
    assert d.step == Step.MAINTENANCE
    (effect,) = d.send(PrintTestSlip())
    assert isinstance(effect, PrintDeskSlip)
    assert (effect.slip.reason_code, effect.slip.data_qr_payload) == ("test_print", "kiosk:sanh-a-01")
    d.send(Printed(d.gen))
    assert d.session.notice_key == "maintenance.printed"
    d.send(PrintFailed(d.gen, "printer.paper_out"))
    assert d.session.notice_key == "printer.paper_out"
    assert d.send(Back()) == (SessionWiped(),)
    assert d.step == Step.HOME


def test_three_wrong_pins_close_it_and_alert_it() -> None:
    d = StaffDriver()
    d.send(OpenMaintenance())
    type_pin(d, "1111")
    assert (d.step, d.session.notice_key, d.session.typed) == (Step.MAINTENANCE_PIN, "maintenance.wrong_pin", "")
    type_pin(d, "2222")
    effects = type_pin(d, "3333")
    assert effects == (AlertIt("maintenance_pin_failures"), SessionWiped())
    assert d.session == Session(generation=1, last_activity=0, step_entered_at=0)


def test_no_pin_configured_means_no_maintenance_and_only_from_home() -> None:
    d = Driver()  # CONFIG has no PIN
    d.send(OpenMaintenance())
    assert d.step == Step.HOME
    s = StaffDriver()
    s.send(StartCheckIn())
    s.send(OpenMaintenance())
    assert s.step == Step.IDENTIFY
    b = StaffDriver()
    b.send(CardPresented(CHIP))
    b.send(OpenMaintenance())
    assert b.step == Step.FINDING_PATIENT


def test_the_pin_screen_times_out_like_any_session() -> None:
    d = StaffDriver()
    d.send(OpenMaintenance())
    d.send(KeypadDigit("2"))
    d.wait(70)
    assert d.step == Step.HOME
    assert d.session.typed == ""
