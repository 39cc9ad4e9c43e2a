"""From a usable card to paper: visit type, department, priority, the hub's ticket, the printer and its failures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from kiosk.domain.dates import VN_TZ
from kiosk.domain.dates import parse_iso_partial_date as dob
from kiosk.domain.priority import PriorityReason
from kiosk.domain.ticket import Lane, VisitType, display_number
from kiosk.flow.effects import AlertIt, CheckPrinter, Effect, IssueTicket, LoadDepartments, PrintDeskSlip, PrintTicket
from kiosk.flow.events import (
    Back,
    CardPresented,
    ChooseDepartment,
    ChooseDesk,
    ChooseVisit,
    Confirm,
    DepartmentsLoaded,
    EntitlementChecked,
    FeeQuoted,
    HubFailed,
    PatientFound,
    Printed,
    PrinterChecked,
    PrintFailed,
    TicketIssued,
    ToggleDeclared,
    TryAgain,
)
from kiosk.flow.fakes import DEMO_DEPARTMENTS, answer_for
from kiosk.flow.records import Bilingual, FeeQuote, IssuedTicket, PatientRecord, PresentedIdentity
from kiosk.flow.state import Operation, Step
from tests.flow.driver import CHIP, PATIENT, Driver

NO_KIOSK_PAYMENT = FeeQuote(payment_required=False, reason="payments_off")
VALID = {"valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31), "valid_today": True}


def issued(number: int = 12, *, reprint: bool = False, lane: Lane = Lane.NORMAL) -> IssuedTicket:
    return IssuedTicket(
        id="T1",
        number=number,
        display_number=display_number(lane, number),  # as the hub writes it
        department_name=Bilingual("Khoa Nội", "Internal Medicine"),
        room_name=Bilingual("Phòng 101", "Room 101"),
        room_location=Bilingual("Tầng 1", "Floor 1"),
        lane=lane,
        visit=VisitType.BHYT,
        issued_at=datetime(2026, 11, 23, 8, 30, tzinfo=VN_TZ),
        status_url="https://hub.example/t/T1",
        position=3,
        wait_estimate_minutes=20,
        reprint=reprint,
    )


def at_confirm(
    patient: PatientRecord = PATIENT,
    identity: PresentedIdentity = CHIP,
    visit: VisitType = VisitType.BHYT,
    fee: FeeQuote = NO_KIOSK_PAYMENT,
) -> Driver:
    d = Driver()
    d.send(CardPresented(identity))
    d.send(PatientFound(0, patient))
    d.send(EntitlementChecked(0, answer_for("000", **VALID)))
    d.send(ChooseVisit(visit))
    d.send(DepartmentsLoaded(0, DEMO_DEPARTMENTS))
    d.send(ChooseDepartment("NOI"))
    if visit == VisitType.FEE:  # the price first (a hub that takes no payments: the cashier, as before)
        assert d.step == Step.PRICING
        d.send(FeeQuoted(d.gen, fee))
    assert d.step == Step.CONFIRM
    return d


def confirm(d: Driver) -> tuple[Effect, ...]:
    """Confirm, the printer answers "ready": what the flow asks next (the ticket order)."""
    assert d.send(Confirm()) == (CheckPrinter(d.gen),)
    assert d.step == Step.ISSUING
    return d.send(PrinterChecked(d.gen, printable=True, state="ready"))


def test_the_whole_check_in_prints_the_hubs_number() -> None:
    d = at_confirm()
    (effect,) = confirm(d)
    assert isinstance(effect, IssueTicket)
    assert (effect.order.department_id, effect.order.patient_id, effect.order.visit) == ("NOI", "P1", VisitType.BHYT)
    assert effect.order.lane == Lane.NORMAL
    assert effect.order.idempotency_key
    assert d.step == Step.ISSUING
    (printing,) = d.send(TicketIssued(0, issued(12)))
    assert isinstance(printing, PrintTicket)
    ticket = printing.ticket
    assert (ticket.queue_number, ticket.display_number, ticket.department_name) == (12, "0012", "Khoa Nội")
    assert (ticket.patient_display_name, ticket.patient_birth_year) == ("Nguyễn Văn An", 1989)
    assert (ticket.visit_type, ticket.lane, ticket.hospital_name) == (
        VisitType.BHYT,
        Lane.NORMAL,
        "Bệnh viện Đa khoa Demo",
    )
    d.send(Printed(0))
    assert (d.step, d.session.printed) == (Step.DONE, True)


def test_departments_are_loaded_once_and_a_closed_one_is_refused() -> None:
    d = at_confirm()
    d.send(Back())
    assert d.step == Step.DEPARTMENT
    d.send(ChooseDepartment("MAT"))
    assert (d.step, d.session.notice_key) == (Step.DEPARTMENT, "department.closed")
    d.send(ChooseDepartment("nope"))
    assert d.step == Step.DEPARTMENT
    d.send(Back())
    assert d.send(ChooseVisit(VisitType.FEE)) == ()  # already loaded
    assert (d.step, d.session.visit) == (Step.DEPARTMENT, VisitType.FEE)


def test_fee_paying_is_offered_even_with_a_valid_card() -> None:
    d = at_confirm(visit=VisitType.FEE)
    (effect,) = confirm(d)
    assert isinstance(effect, IssueTicket)
    assert effect.order.visit == VisitType.FEE


def test_the_desk_is_always_a_choice_at_visit_type() -> None:
    d = Driver()
    d.send(CardPresented(CHIP))
    d.send(PatientFound(0, PATIENT))
    d.send(EntitlementChecked(0, answer_for("000", **VALID)))
    (effect,) = d.send(ChooseDesk())
    assert isinstance(effect, PrintDeskSlip)
    assert effect.slip.reason_code == "patient_chose_desk"


@pytest.mark.parametrize(
    ("born", "declared", "reasons", "confirm_by_staff"),
    [
        ("1989-02-01", (), (), False),
        ("1940-05-05", (), (PriorityReason.AGED_75_PLUS,), False),
        ("2023-01-01", (), (PriorityReason.CHILD_UNDER_6,), False),
        ("1989-02-01", (PriorityReason.PREGNANT,), (PriorityReason.PREGNANT,), True),
        ("1989-02-01", (PriorityReason.DISABILITY,), (PriorityReason.DISABILITY,), True),
    ],
)
def test_priority_comes_from_the_domain_rules_and_declarations_need_staff(
    born: str, declared: tuple[PriorityReason, ...], reasons: tuple[PriorityReason, ...], confirm_by_staff: bool
) -> None:
    born_on = dob(born)
    d = at_confirm(patient=replace(PATIENT, date_of_birth=born_on), identity=replace(CHIP, date_of_birth=born_on))
    for reason in declared:
        d.send(ToggleDeclared(reason))
    (effect,) = confirm(d)
    assert isinstance(effect, IssueTicket)
    assert set(effect.order.priority_reasons) == set(reasons)
    assert effect.order.lane == (Lane.PRIORITY if reasons else Lane.NORMAL)
    assert d.session.needs_staff_confirmation == confirm_by_staff


def test_only_pregnancy_and_disability_can_be_declared_and_a_second_touch_undoes() -> None:
    d = at_confirm()
    d.send(ToggleDeclared(PriorityReason.AGED_75_PLUS))
    d.send(ToggleDeclared(PriorityReason.PREGNANT))
    d.send(ToggleDeclared(PriorityReason.PREGNANT))
    assert d.session.declared == frozenset()


def test_a_duplicate_same_day_is_the_existing_ticket_reprinted() -> None:
    d = at_confirm()
    confirm(d)
    (effect,) = d.send(TicketIssued(0, issued(7, reprint=True)))
    assert isinstance(effect, PrintTicket)
    assert effect.ticket.queue_number == 7
    assert d.session.ticket is not None
    assert d.session.ticket.reprint


def test_a_printer_failure_shows_the_ticket_on_screen() -> None:
    d = at_confirm()
    confirm(d)
    d.send(TicketIssued(0, issued(12)))
    d.send(PrintFailed(0, "printer.paper_out"))
    assert (d.step, d.session.notice_key) == (Step.SCREEN_TICKET, "printer.failed")
    assert d.session.ticket is not None
    assert d.session.ticket.status_url.startswith("https://")


def test_a_failed_desk_slip_is_shown_on_screen() -> None:
    d = Driver()
    d.send(CardPresented(CHIP))
    d.send(PatientFound(0, PATIENT))
    d.send(EntitlementChecked(0, answer_for("110")))
    d.send(PrintFailed(0, "printer.paper_out"))
    assert (d.step, d.session.printed, d.session.desk_reason) == (Step.DESK, False, "bhxh_110")
    assert d.session.desk_qr
    assert "001089012345" in d.session.desk_qr


def test_a_hub_failure_at_issue_is_retried_with_the_same_idempotency_key() -> None:
    d = at_confirm()
    (first,) = confirm(d)
    d.send(HubFailed(0, Operation.ISSUE_TICKET, "hub.unavailable"))
    assert (d.step, d.session.notice_key) == (Step.HUB_FAILED, "hub.unavailable")
    (again,) = d.send(TryAgain())
    assert isinstance(first, IssueTicket)
    assert isinstance(again, IssueTicket)
    assert again.order == first.order
    assert d.step == Step.ISSUING


def test_going_back_and_confirming_again_is_a_new_order() -> None:
    d = at_confirm()
    (first,) = confirm(d)
    d.send(HubFailed(0, Operation.ISSUE_TICKET, "hub.unavailable"))
    d.send(TryAgain())
    d.send(HubFailed(0, Operation.ISSUE_TICKET, "hub.unavailable"))
    (slip,) = d.send(ChooseDesk())
    assert isinstance(slip, PrintDeskSlip)
    assert slip.slip.reason_code == "hub_unavailable"
    e = at_confirm()
    (a,) = confirm(e)
    e.send(HubFailed(0, Operation.LOAD_DEPARTMENTS, "hub.unavailable"))
    assert e.send(TryAgain()) == (LoadDepartments(0),)
    assert isinstance(a, IssueTicket)
    assert isinstance(first, IssueTicket)


@pytest.mark.parametrize(
    ("operation", "before"),
    [(Operation.FIND_PATIENT, 0), (Operation.CHECK_ENTITLEMENT, 1)],
)
def test_hub_failures_before_the_ticket_can_be_retried(operation: Operation, before: int) -> None:
    d = Driver()
    d.send(CardPresented(CHIP))
    if before:
        d.send(PatientFound(0, PATIENT))
    d.send(HubFailed(0, operation, "hub.timeout"))
    assert d.step == Step.HUB_FAILED
    (again,) = d.send(TryAgain())
    assert type(again).__name__ == ("FindPatient" if operation == Operation.FIND_PATIENT else "CheckEntitlement")
    assert d.session.codes_tried == (("001089012345",) if before else ())


def test_touches_while_the_kiosk_is_busy_change_nothing() -> None:
    d = at_confirm()
    confirm(d)
    before = d.session
    assert d.send(Back()) == ()
    assert d.send(Confirm()) == ()
    assert d.session == before


def test_late_answers_for_a_wiped_session_are_dropped() -> None:
    from kiosk.flow.events import CardRemoved

    d = at_confirm()
    confirm(d)
    d.send(CardRemoved())
    before = d.session
    assert d.send(TicketIssued(0, issued())) == ()
    assert d.session == before
    assert d.step == Step.HOME


def test_the_printer_is_checked_before_the_number_is_taken() -> None:
    d = at_confirm()
    assert d.send(Confirm()) == (CheckPrinter(0),)  # no ticket order yet: nothing is committed at the hub
    assert d.send(PrinterChecked(0, printable=False, state="paper_out")) == (AlertIt("printer_paper_out"),)
    assert (d.step, d.session.notice_key) == (Step.PRINTER_NOT_READY, "printer.paper_out")
    assert d.session.ticket is None


@pytest.mark.parametrize(
    ("state", "notice"),
    [("cover_open", "printer.cover_open"), ("no_response", "printer.failed"), ("error", "printer.failed")],
)
def test_each_printer_state_has_a_message_and_alerts_it(state: str, notice: str) -> None:
    d = at_confirm()
    d.send(Confirm())
    assert d.send(PrinterChecked(0, printable=False, state=state)) == (AlertIt(f"printer_{state}"),)
    assert d.session.notice_key == notice


def test_a_printer_not_ready_offers_the_ticket_on_screen() -> None:
    d = at_confirm()
    d.send(Confirm())
    d.send(PrinterChecked(0, printable=False, state="paper_out"))
    (order,) = d.send(Confirm())  # "show my number on screen"
    assert isinstance(order, IssueTicket)
    assert d.step == Step.ISSUING
    assert d.send(TicketIssued(0, issued(12))) == ()  # nothing is sent to the printer
    assert (d.step, d.session.printed) == (Step.SCREEN_TICKET, False)
    assert d.session.ticket is not None


def test_a_printer_not_ready_can_be_asked_again_or_left_for_the_desk_or_back() -> None:
    d = at_confirm()
    d.send(Confirm())
    d.send(PrinterChecked(0, printable=False, state="cover_open"))
    assert d.send(TryAgain()) == (CheckPrinter(0),)  # staff closed the cover
    (order,) = d.send(PrinterChecked(0, printable=True, state="ready"))
    assert isinstance(order, IssueTicket)
    e = at_confirm()
    e.send(Confirm())
    e.send(PrinterChecked(0, printable=False, state="paper_out"))
    assert e.send(ChooseDesk()) == ()  # no slip can be printed: the desk reads the QR on screen
    assert (e.step, e.session.printed, e.session.desk_reason) == (Step.DESK, False, "printer_fault")
    assert e.session.desk_qr
    assert "001089012345" in e.session.desk_qr
    f = at_confirm()
    f.send(Confirm())
    f.send(PrinterChecked(0, printable=False, state="paper_out"))
    assert f.send(Back()) == ()
    assert f.step == Step.CONFIRM


def test_paper_carries_the_hubs_number_as_the_screen_shows_it_in_the_priority_lane_too() -> None:
    old = dob("1940-05-05")  # aged 75+: the priority lane
    d = at_confirm(patient=replace(PATIENT, date_of_birth=old), identity=replace(CHIP, date_of_birth=old))
    confirm(d)
    (printing,) = d.send(TicketIssued(0, issued(3, lane=Lane.PRIORITY)))
    assert isinstance(printing, PrintTicket)
    assert d.session.ticket is not None
    assert printing.ticket.display_number == d.session.ticket.display_number == "UT-0003"
    assert printing.ticket.lane == Lane.PRIORITY
