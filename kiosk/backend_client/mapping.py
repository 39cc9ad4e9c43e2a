"""Wire answers → the flow's records, and the flow's requests → wire requests. No I/O."""

from __future__ import annotations

from kiosk.backend_client import wire
from kiosk.domain.dates import PartialDate, parse_iso_partial_date
from kiosk.domain.entitlement import EntitlementAction
from kiosk.domain.errors import DomainParseError
from kiosk.domain.ticket import Lane, VisitType
from kiosk.flow.records import (
    AppointmentRecord,
    AppointmentStatus,
    Bilingual,
    DepartmentChoice,
    EntitlementAnswer,
    IssuedTicket,
    PatientRecord,
    PresentedIdentity,
    TicketOrder,
)


def iso(date_of_birth: PartialDate | None) -> str:
    """A date of birth as the API writes it ("" when unknown: the hub then asks by the card alone)."""
    return date_of_birth.iso() if date_of_birth is not None else ""


def partial_date(text: str | None) -> PartialDate | None:
    """The API's date of birth; one it should not have sent (the hub validates them) reads as unknown."""
    if not text:
        return None
    try:
        return parse_iso_partial_date(text)
    except DomainParseError:
        return None


def bilingual(text: wire.LocalizedText) -> Bilingual:
    return Bilingual(vi=text.vi, en=text.en)


def patient(answer: wire.Patient) -> PatientRecord:
    # No card codes: the hub keeps them, and tries the patient's other cards itself when the kiosk names the patient
    # in the entitlement check.
    return PatientRecord(
        id=answer.id,
        full_name=answer.full_name,
        date_of_birth=partial_date(answer.date_of_birth),
        id_number_masked=answer.id_number_masked,
    )


def registration(identity: PresentedIdentity) -> wire.PatientRegistration:
    return wire.PatientRegistration(
        full_name=identity.full_name or "",
        date_of_birth=iso(identity.date_of_birth),
        sex=identity.sex,
        id_number=identity.id_number,
        bhxh_number=identity.bhxh_number,
        bhyt_code=identity.bhyt_code,
    )


def entitlement(answer: wire.Entitlement) -> EntitlementAnswer:
    try:
        action = EntitlementAction(answer.action)
    except ValueError:
        action = EntitlementAction.DESK  # an action this kiosk does not know yet: a person decides
    return EntitlementAnswer(
        action=action,
        message_key=answer.message_key,
        bhxh_code=answer.bhxh_code,
        to_recheck=answer.to_recheck,
        card_code=answer.card_code,
        new_card_applied=answer.new_card_applied,
        benefit_level=answer.benefit_level,
        benefit_percent=answer.benefit_percent,
        valid_from=answer.valid_from,
        valid_to=answer.valid_to,
        valid_today=answer.valid_today,
        registered_facility_name=answer.registered_facility_name,
        registered_here=answer.registered_here,
        five_year_date=answer.five_year_date,
        gateway_full_name=answer.gateway_full_name,
        gateway_date_of_birth=partial_date(answer.gateway_date_of_birth),
    )


def department(answer: wire.Department) -> DepartmentChoice:
    return DepartmentChoice(
        id=answer.id,
        name=bilingual(answer.name),
        location=bilingual(answer.location),
        open_now=answer.open_now,
        queue_length=answer.queue_length,
        wait_estimate_minutes=answer.wait_estimate_minutes,
    )


def ticket_request(order: TicketOrder) -> wire.TicketRequest:
    return wire.TicketRequest(
        department_id=order.department_id,
        patient_id=order.patient_id,
        lane=order.lane.value,
        priority_reasons=list(order.priority_reasons),
        visit_type=order.visit.value,
    )


def ticket(answer: wire.Ticket) -> IssuedTicket:
    return IssuedTicket(
        id=answer.id,
        number=answer.number,
        display_number=answer.display_number,
        department_name=bilingual(answer.department_name),
        room_name=bilingual(answer.room.name) if answer.room else None,
        room_location=bilingual(answer.room.location) if answer.room else None,
        lane=Lane.PRIORITY if answer.lane == Lane.PRIORITY else Lane.NORMAL,
        visit=VisitType.BHYT if answer.visit_type == VisitType.BHYT else VisitType.FEE,
        issued_at=answer.issued_at,
        status_url=answer.status_url,
        position=answer.position,
        wait_estimate_minutes=answer.wait_estimate_minutes,
        reprint=answer.reprint,
    )


# The hub's refusals of a check-in, by problem code → what the patient reads (kiosk/i18n: appointment.*).
CHECK_IN_REFUSALS = {
    "appointment_not_found": "appointment.not_found",
    "check_in_too_early": "appointment.too_early",
    "check_in_too_late": "appointment.too_late",
    "appointment_cancelled": "appointment.cancelled",
}


def appointment(answer: wire.Appointment) -> AppointmentRecord:
    try:
        status = AppointmentStatus(answer.status)
    except ValueError:
        status = AppointmentStatus.CANCELLED  # a state this kiosk does not know: not checked in here, the desk decides
    born = partial_date(str(answer.patient_birth_year)) if answer.patient_birth_year else None
    return AppointmentRecord(
        code=answer.code,
        patient=PatientRecord(
            id=answer.patient_id,
            full_name=answer.patient_name,
            date_of_birth=born,
            id_number_masked=answer.patient_id_masked,
        ),
        department_id=answer.department_id,
        doctor_name=answer.doctor_name,
        starts_at=answer.starts_at,
        status=status,
        opens_at=answer.check_in_opens_at,
        closes_at=answer.check_in_closes_at,
        room_name=bilingual(answer.room.name) if answer.room else None,
    )


def check_in_request(order: TicketOrder) -> wire.CheckInRequest:
    return wire.CheckInRequest(
        lane=order.lane.value, priority_reasons=list(order.priority_reasons), visit_type=order.visit.value
    )
