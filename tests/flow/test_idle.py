"""Session privacy: the idle warning (≥ 20 s, "more time"), the wipe, and paper-in-hand returning home."""

from __future__ import annotations

import pytest

from kiosk.flow.effects import SessionWiped
from kiosk.flow.events import (
    CardPresented,
    Confirm,
    EntitlementChecked,
    KeypadDigit,
    MoreTime,
    PatientFound,
    Printed,
    StartCheckIn,
    TicketIssued,
)
from kiosk.flow.fakes import answer_for
from kiosk.flow.state import Session, Step
from kiosk.flow.transition import FlowConfig
from tests.flow.driver import CHIP, PATIENT, Driver
from tests.flow.test_ticketing import at_confirm, issued


def test_an_idle_patient_is_warned_then_wiped_after_the_warning() -> None:
    d = Driver()
    d.send(StartCheckIn())
    d.send(KeypadDigit("0"))
    assert d.wait(44) == ()
    assert d.session.idle_warning_since is None
    d.wait(1)
    assert d.session.idle_warning_since == 45
    assert d.wait(24) == ()
    assert d.step == Step.IDENTIFY
    assert d.wait(1) == (SessionWiped(),)
    assert d.session == Session(generation=1, last_activity=70, step_entered_at=70)


def test_more_time_clears_the_warning_and_restarts_the_count() -> None:
    d = Driver()
    d.send(StartCheckIn())
    d.wait(50)
    assert d.session.idle_warning_since is not None
    d.send(MoreTime())
    assert d.session.idle_warning_since is None
    assert d.wait(44) == ()
    assert d.step == Step.IDENTIFY


def test_home_and_busy_steps_never_time_out() -> None:
    d = Driver()
    assert d.wait(500) == ()
    d.send(CardPresented(CHIP))
    assert d.wait(500) == ()
    assert d.step == Step.FINDING_PATIENT


def test_the_warning_is_at_least_twenty_seconds_by_policy() -> None:
    with pytest.raises(ValueError, match="20 seconds"):
        FlowConfig(hospital_name="x", warning_s=10)


def test_after_the_ticket_prints_the_kiosk_returns_home_by_itself() -> None:
    d = at_confirm()
    d.send(Confirm())
    d.send(TicketIssued(0, issued()))
    d.send(Printed(0))
    assert d.wait(14) == ()
    assert d.wait(1) == (SessionWiped(),)
    assert d.session.patient is None
    assert d.session.ticket is None
    assert d.step == Step.HOME


def test_nothing_of_the_patient_survives_a_wipe() -> None:
    d = Driver()
    d.send(CardPresented(CHIP))
    d.send(PatientFound(0, PATIENT))
    d.send(EntitlementChecked(0, answer_for("000")))
    assert d.step == Step.VISIT_TYPE
    wiped = d.wait(100)
    assert wiped == (SessionWiped(),)
    assert d.session == Session(generation=1, last_activity=70, step_entered_at=70)


def test_a_slip_shown_on_screen_stays_until_the_idle_warning_runs_out() -> None:
    from kiosk.flow.events import PrintFailed

    d = Driver()
    d.send(CardPresented(CHIP))
    d.send(PatientFound(0, PATIENT))
    d.send(EntitlementChecked(0, answer_for("110")))
    d.send(PrintFailed(0, "printer.paper_out"))
    assert (d.step, d.session.printed) == (Step.DESK, False)
    assert d.wait(44) == ()
    assert d.session.idle_warning_since is None  # well past the 15 s a printed slip gets
    d.wait(1)
    assert d.session.idle_warning_since == d.now
    assert d.wait(24) == ()
    assert d.wait(1) == (SessionWiped(),)
