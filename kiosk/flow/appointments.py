"""Check-in for a booking: a scanned code that is no card and no ID goes to the hub's appointment lookup.

Found and inside its window → the confirm screen (patient, masked ID, department) → the hub's check-in issues the
queue ticket, printed like any other. Too early, too late, cancelled, not found or the hub unreachable → back to
the identify screen with a sentence naming both ways on: the normal check-in (card, QR or number) or the desk.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kiosk.domain.payload import ClassifiedPayload, PayloadKind
from kiosk.domain.ticket import VisitType
from kiosk.flow.effects import CheckInAppointment, Effect, FindAppointment, IssueTicket
from kiosk.flow.events import AppointmentFound, AppointmentRefused, Event
from kiosk.flow.records import AppointmentRecord, Bilingual, DepartmentChoice, TicketOrder
from kiosk.flow.state import Mode, Session, Step
from kiosk.flow.transition import Context, Transition

# A booking code: letters, digits and dashes, with at least one letter (all-digit strings are ID numbers).
_BOOKING_CODE = re.compile(r"(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]{3,31}")
ANSWERS = (AppointmentFound, AppointmentRefused)


def booking_code(text: str, payload: ClassifiedPayload) -> str | None:
    """The booking code in a scan (`text`) the domain did not recognise as a card or an ID (`payload`), or None."""
    if payload.kind != PayloadKind.UNKNOWN:
        return None
    code = text.strip().upper()
    return code if _BOOKING_CODE.fullmatch(code) else None


def begin(session: Session, code: str, ctx: Context) -> Transition | None:
    """Look the booking up (check-in only: a benefit lookup needs a card)."""
    if session.mode != Mode.CHECK_IN:
        return None
    finding = replace(session.at(Step.FINDING_PATIENT, ctx.now), typed="", appointment=None)
    return Transition(finding, (FindAppointment(session.generation, code),))


def handle(session: Session, event: Event, ctx: Context) -> Transition:
    if isinstance(event, AppointmentRefused):
        return Transition(back_to_identify(session, event.message_key, ctx))
    if not isinstance(event, AppointmentFound) or session.step != Step.FINDING_PATIENT:
        return Transition(session)
    booking = event.appointment
    refusal = booking.refusal(ctx.wall)
    if refusal is not None:
        return Transition(back_to_identify(session, refusal, ctx))
    departments = event.departments
    if not any(d.id == booking.department_id for d in departments):
        departments = (*departments, _department_of(booking))
    confirm = replace(
        session.at(Step.CONFIRM, ctx.now),
        appointment=booking,
        patient=booking.patient,
        departments=departments,
        department_id=booking.department_id,
        # No card was checked: the visit is fee-paying unless the desk applies BHYT (the hub's HIS decides).
        visit=VisitType.FEE,
        ticket_key=None,
    )
    return Transition(replace(confirm, notice_key="appointment.found"))


def back_to_identify(session: Session, message_key: str | None, ctx: Context) -> Session:
    """A fresh check-in on the identify screen, with the reason; nothing of the booking is kept."""
    fresh = Session(generation=session.generation, language=session.language, last_activity=ctx.now)
    return replace(fresh.at(Step.IDENTIFY, ctx.now), mode=Mode.CHECK_IN, notice_key=message_key)


def issue_effect(session: Session, order: TicketOrder) -> Effect:
    """The ticket order for this session: the booking's check-in, or a plain ticket."""
    if session.appointment is not None:
        return CheckInAppointment(session.generation, session.appointment.code, order)
    return IssueTicket(session.generation, order)


def _department_of(booking: AppointmentRecord) -> DepartmentChoice:
    # The department list did not name it (closed to walk-ins on this kiosk): show the booked room instead.
    name = booking.room_name or Bilingual(booking.department_id, booking.department_id)
    return DepartmentChoice(booking.department_id, name, name, open_now=True, queue_length=0, wait_estimate_minutes=0)
