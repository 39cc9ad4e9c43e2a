"""Check-in by a booking's QR against the real hub (in-process ASGI, demo HIS bookings DEMO-NOW/LATER/TOMORROW)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.backend_client.client import HisClient
from kiosk.domain.dates import VN_TZ
from kiosk.domain.ticket import Lane, VisitType
from kiosk.embedded_hub import EmbeddedHub
from kiosk.flow.events import Confirm, QrScanned, StartCheckIn
from kiosk.flow.fakes import FakePrinter
from kiosk.flow.ports import PortError
from kiosk.flow.records import AppointmentStatus, TicketOrder
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig
from tests.backend_client.conftest import FixedClock

CONFIG = FlowConfig(hospital_name="Bệnh viện Đa khoa Demo")


def order(key: str = "k-1") -> TicketOrder:
    return TicketOrder("NOI", "ignored-the-booking-names-the-patient", Lane.NORMAL, VisitType.FEE, key)


async def test_the_booking_carries_the_patient_for_the_ticket_and_its_window(client: HisClient) -> None:
    found = await client.find_appointment("DEMO-NOW")
    assert found is not None
    assert (found.code, found.department_id, found.status) == ("DEMO-NOW", "NOI", AppointmentStatus.BOOKED)
    assert found.patient.full_name
    born = found.patient.date_of_birth
    assert born is not None
    assert born.month is None  # the year only
    assert found.patient.id_number_masked is not None
    assert found.patient.id_number_masked[-4:].isdigit()
    assert found.opens_at < found.starts_at < found.closes_at
    assert found.room_name is not None
    assert await client.find_appointment("NOPE-404") is None


@pytest.mark.parametrize(
    ("code", "later", "refusal"),
    [
        ("DEMO-TOMORROW", timedelta(0), "appointment.too_early"),
        ("DEMO-NOW", timedelta(hours=2), "appointment.too_late"),
    ],
)
async def test_a_check_in_outside_the_window_is_refused_with_the_patients_sentence(
    client: HisClient, clock: FixedClock, code: str, later: timedelta, refusal: str
) -> None:
    clock.now += later
    with pytest.raises(PortError) as refused:
        await client.check_in_appointment(code, order())
    assert refused.value.message_key == refusal


async def test_a_check_in_is_idempotent(client: HisClient) -> None:
    first = await client.check_in_appointment("DEMO-NOW", order("k-1"))
    again = await client.check_in_appointment("DEMO-NOW", order("k-1"))
    assert again.id == first.id
    assert again.display_number == first.display_number
    booking = await client.find_appointment("DEMO-NOW")
    assert booking is not None
    assert booking.status == AppointmentStatus.CHECKED_IN


def service_on(client: HisClient, clock: FixedClock, printer: FakePrinter) -> FlowService:
    return FlowService(CONFIG, client, printer, wall=lambda: clock.now.astimezone(VN_TZ))


async def test_a_scanned_booking_is_checked_in_and_the_ticket_printed_carries_the_hubs_number(
    hub: EmbeddedHub, client: HisClient, clock: FixedClock
) -> None:
    printer = FakePrinter()
    service = service_on(client, clock, printer)
    service.dispatch(StartCheckIn())
    service.dispatch(QrScanned.of("DEMO-NOW"))
    await service.idle()
    assert (service.session.step, service.session.notice_key) == (Step.CONFIRM, "appointment.found")
    assert service.session.department is not None
    assert service.session.department.name.vi == "Khoa Nội tổng hợp"  # the hub's own list
    service.dispatch(Confirm())
    await service.idle()
    assert service.session.step == Step.DONE
    (printed,) = printer.tickets
    issued = service.session.ticket
    assert issued is not None
    assert printed.number_label == issued.display_number
    booking = await client.find_appointment("DEMO-NOW")
    assert booking is not None
    assert booking.status == AppointmentStatus.CHECKED_IN
    assert printed.patient_display_name == booking.patient.full_name
    assert printed.patient_birth_year == booking.patient.date_of_birth.year


@pytest.mark.parametrize(
    ("code", "notice"),
    [("DEMO-TOMORROW", "appointment.too_early"), ("NOPE-404", "appointment.not_found")],
)
async def test_a_booking_that_cannot_be_checked_in_now_says_why_on_the_identify_screen(
    client: HisClient, clock: FixedClock, code: str, notice: str
) -> None:
    printer = FakePrinter()
    service = service_on(client, clock, printer)
    service.dispatch(StartCheckIn())
    service.dispatch(QrScanned.of(code))
    await service.idle()
    assert (service.session.step, service.session.notice_key) == (Step.IDENTIFY, notice)
    assert printer.tickets == []
