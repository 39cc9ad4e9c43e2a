"""Check-in by a booking's QR: the pure transitions (table-driven) and the service on the fake hub and printer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.domain.dates import parse_iso_partial_date as dob
from kiosk.domain.payload import classify
from kiosk.domain.ticket import Lane, VisitType
from kiosk.flow.alerts import LoggingAlerts
from kiosk.flow.appointments import booking_code
from kiosk.flow.effects import CheckInAppointment, CheckPrinter, FindAppointment, PrintTicket
from kiosk.flow.events import (
    AppointmentFound,
    AppointmentRefused,
    Back,
    Confirm,
    HubFailed,
    PrinterChecked,
    QrScanned,
    StartBenefitLookup,
    StartCheckIn,
    TicketIssued,
    TryAgain,
)
from kiosk.flow.fakes import DEMO_DEPARTMENTS, FakeHis, FakePrinter
from kiosk.flow.records import AppointmentRecord, AppointmentStatus, Bilingual, IssuedTicket, PatientRecord
from kiosk.flow.service import FlowService
from kiosk.flow.state import Mode, Operation, Step
from kiosk.i18n.catalogue import translate
from tests.flow.driver import CCCD_QR, CONFIG, WALL, Driver

BOOKED_PATIENT = PatientRecord(
    id="P7", full_name="Trần Thị Bình", date_of_birth=dob("1975"), id_number_masked="••••6789"
)


def booking(status: AppointmentStatus = AppointmentStatus.BOOKED, starts_in_min: int = 10) -> AppointmentRecord:
    starts = WALL + timedelta(minutes=starts_in_min)
    return AppointmentRecord(
        code="DEMO-NOW",
        patient=BOOKED_PATIENT,
        department_id="NOI",
        doctor_name="BS. Demo",
        starts_at=starts,
        status=status,
        opens_at=starts - timedelta(minutes=60),
        closes_at=starts + timedelta(minutes=30),
        room_name=Bilingual("Phòng 101", "Room 101"),
    )


TICKET = IssuedTicket(
    id="T1", number=7, display_number="0007", department_name=Bilingual("Khoa Nội", "Internal Medicine"),
    room_name=None, room_location=None, lane=Lane.NORMAL, visit=VisitType.FEE, issued_at=WALL,
    status_url="https://hub.example/t/T1", position=3, wait_estimate_minutes=20, reprint=False,
)  # fmt: skip


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("DEMO-NOW", "DEMO-NOW"),
        ("  lh-2026-000123\r\n", "LH-2026-000123"),
        ("001089012345", None),  # a CCCD number: the normal check-in
        (CCCD_QR, None),
        ("12345", None),  # digits only: an ID typed wrong, not a booking
        ("ABC", None),  # too short
        ("DEMO NOW|X", None),
        ("X" * 40, None),
    ],
)
def test_which_scans_look_like_a_booking_code(payload: str, code: str | None) -> None:
    assert booking_code(payload, classify(payload)) == code


def scanned(mode_event: StartCheckIn | StartBenefitLookup = StartCheckIn()) -> Driver:  # noqa: B008
    d = Driver()
    d.send(mode_event)
    return d


def test_a_booking_code_goes_to_the_hub_lookup_in_check_in_only() -> None:
    d = scanned()
    assert d.send(QrScanned.of("DEMO-NOW")) == (FindAppointment(d.gen, "DEMO-NOW"),)
    assert d.step == Step.FINDING_PATIENT
    lookup = scanned(StartBenefitLookup())
    assert lookup.send(QrScanned.of("DEMO-NOW")) == ()
    assert (lookup.step, lookup.session.notice_key) == (Step.IDENTIFY, "identify.not_recognised")


@pytest.mark.parametrize(
    ("answer", "step", "notice"),
    [
        (booking(), Step.CONFIRM, "appointment.found"),
        (booking(AppointmentStatus.CHECKED_IN), Step.CONFIRM, "appointment.found"),  # same ticket comes back
        (booking(starts_in_min=120), Step.IDENTIFY, "appointment.too_early"),
        (booking(starts_in_min=-45), Step.IDENTIFY, "appointment.too_late"),
        (booking(AppointmentStatus.CANCELLED), Step.IDENTIFY, "appointment.cancelled"),
        ("appointment.not_found", Step.IDENTIFY, "appointment.not_found"),
        ("appointment.unavailable", Step.IDENTIFY, "appointment.unavailable"),
    ],
)
def test_the_lookup_answer_leads_to_confirm_or_back_with_a_reason(
    answer: AppointmentRecord | str, step: Step, notice: str
) -> None:
    d = scanned()
    d.send(QrScanned.of("DEMO-NOW"))
    if isinstance(answer, str):
        d.send(AppointmentRefused(d.gen, answer))
    else:
        d.send(AppointmentFound(d.gen, answer, DEMO_DEPARTMENTS))
    assert (d.step, d.session.notice_key) == (step, notice)
    for language in ("vi", "en"):  # a sentence of its own, not the generic fallback
        assert translate(notice, language) != translate("entitlement.unknown_result", language)
    if step == Step.IDENTIFY:
        # The normal check-in is right there; nothing of the booking is kept.
        assert (d.session.mode, d.session.appointment, d.session.patient) == (Mode.CHECK_IN, None, None)
    else:
        assert d.session.patient == BOOKED_PATIENT
        assert d.session.department is not None
        assert d.session.department.name.vi == "Khoa Nội"
        assert d.session.visit == VisitType.FEE


def test_a_department_missing_from_the_list_shows_the_booked_room() -> None:
    d = scanned()
    d.send(QrScanned.of("DEMO-NOW"))
    d.send(AppointmentFound(d.gen, booking(), ()))
    assert d.session.department is not None
    assert d.session.department.name.en == "Room 101"


def test_confirm_checks_the_printer_then_checks_in_at_the_hub_then_prints() -> None:
    d = scanned()
    d.send(QrScanned.of("DEMO-NOW"))
    d.send(AppointmentFound(d.gen, booking(), DEMO_DEPARTMENTS))
    assert d.send(Confirm()) == (CheckPrinter(d.gen),)
    (effect,) = d.send(PrinterChecked(d.gen, printable=True, state="ready"))
    assert isinstance(effect, CheckInAppointment)
    assert effect.code == "DEMO-NOW"
    assert (effect.order.patient_id, effect.order.department_id) == ("P7", "NOI")
    (printing,) = d.send(TicketIssued(d.gen, TICKET))
    assert isinstance(printing, PrintTicket)
    assert printing.ticket.patient_display_name == "Trần Thị Bình"
    assert printing.ticket.patient_birth_year == 1975
    assert printing.ticket.number_label == "0007"


def test_a_refusal_at_check_in_goes_back_with_the_reason_and_a_hub_outage_retries_the_check_in() -> None:
    d = scanned()
    d.send(QrScanned.of("DEMO-NOW"))
    d.send(AppointmentFound(d.gen, booking(), DEMO_DEPARTMENTS))
    d.send(Confirm())
    (first,) = d.send(PrinterChecked(d.gen, printable=True, state="ready"))
    d.send(HubFailed(d.gen, Operation.ISSUE_TICKET, "hub.timeout"))
    assert d.step == Step.HUB_FAILED
    (again,) = d.send(TryAgain())
    assert isinstance(again, CheckInAppointment)
    assert isinstance(first, CheckInAppointment)
    assert again.order.idempotency_key == first.order.idempotency_key
    d.send(AppointmentRefused(d.gen, "appointment.too_late"))
    assert (d.step, d.session.notice_key, d.session.appointment) == (Step.IDENTIFY, "appointment.too_late", None)


def test_back_from_the_booking_confirm_is_a_fresh_identify_not_another_department() -> None:
    d = scanned()
    d.send(QrScanned.of("DEMO-NOW"))
    d.send(AppointmentFound(d.gen, booking(), DEMO_DEPARTMENTS))
    assert d.send(Back()) == ()
    assert (d.step, d.session.appointment, d.session.department_id, d.session.notice_key) == (
        Step.IDENTIFY,
        None,
        None,
        None,
    )


def test_an_answer_for_a_wiped_session_is_dropped() -> None:
    d = scanned()
    d.send(QrScanned.of("DEMO-NOW"))
    d.send(AppointmentFound(d.gen - 1, booking(), DEMO_DEPARTMENTS))
    assert d.step == Step.FINDING_PATIENT


# --- the service on the fakes: the same path as a normal ticket ------------------------------------------------


@pytest.mark.parametrize(
    ("hub_now", "printed", "step", "notice"),
    [
        (WALL, 1, Step.DONE, None),
        (WALL + timedelta(hours=1), 0, Step.IDENTIFY, "appointment.too_late"),  # the window closed at the hub
    ],
)
async def test_the_service_checks_in_and_prints_or_says_why_not(
    hub_now: object, printed: int, step: Step, notice: str | None
) -> None:
    his, printer = FakeHis(appointments={"DEMO-NOW": booking()}, now=hub_now), FakePrinter()  # type: ignore[arg-type]
    service = FlowService(CONFIG, his, printer, alerts=LoggingAlerts(), wall=lambda: WALL)
    service.dispatch(StartCheckIn())
    service.dispatch(QrScanned.of("DEMO-NOW"))
    await service.idle()
    assert service.session.step == Step.CONFIRM
    service.dispatch(Confirm())
    await service.idle()
    assert (service.session.step, service.session.notice_key) == (step, notice)
    assert len(printer.tickets) == printed


async def test_without_an_appointment_port_a_booking_code_is_not_recognised() -> None:
    class HisWithoutBookings:  # a wrapper that hides the client's bookings
        def __init__(self) -> None:
            self._his = FakeHis()

        def __getattr__(self, name: str) -> object:
            if "appointment" in name:
                raise AttributeError(name)
            return getattr(self._his, name)

    service = FlowService(CONFIG, HisWithoutBookings(), FakePrinter())  # type: ignore[arg-type]
    service.dispatch(StartCheckIn())
    service.dispatch(QrScanned.of("DEMO-NOW"))
    await service.idle()
    assert (service.session.step, service.session.notice_key) == (Step.IDENTIFY, "identify.not_recognised")


async def test_a_hub_down_at_lookup_says_so_and_keeps_the_normal_check_in() -> None:
    his = FakeHis(appointments={"DEMO-NOW": booking()}, failing={"find_appointment"})
    service = FlowService(CONFIG, his, FakePrinter(), alerts=LoggingAlerts())
    service.dispatch(StartCheckIn())
    service.dispatch(QrScanned.of("DEMO-NOW"))
    await service.idle()
    assert (service.session.step, service.session.notice_key) == (Step.IDENTIFY, "appointment.unavailable")
