"""Turning a finished session into a ticket order for the hub, and the hub's ticket into what the printer prints."""

from __future__ import annotations

from dataclasses import replace

from kiosk.domain.bhyt_code import parse_bhyt_code
from kiosk.domain.errors import DomainParseError
from kiosk.domain.priority import PriorityReason, priority_reasons
from kiosk.domain.ticket import Lane, QueueTicket, TicketError, VisitType
from kiosk.flow.effects import PrintTicket
from kiosk.flow.records import IssuedTicket, TicketOrder
from kiosk.flow.state import Session, Step
from kiosk.flow.transition import Context, FlowConfig, Transition

# Only these are self-declared at the kiosk (and confirmed by staff); the others come from the card and the DOB.
DECLARABLE = (PriorityReason.PREGNANT, PriorityReason.DISABILITY)


def beneficiary_group(session: Session) -> str | None:
    codes = [session.identity.bhyt_code if session.identity else None]
    codes += [session.entitlement.card_code if session.entitlement else None]
    codes += [session.patient.bhyt_code if session.patient else None]
    for code in codes:
        if code and len(code) == 15:
            try:
                return parse_bhyt_code(code).beneficiary_group
            except DomainParseError:
                continue
    return None


def priority_for(session: Session, ctx: Context) -> frozenset[PriorityReason]:
    born = session.identity.date_of_birth if session.identity else None
    born = born or (session.patient.date_of_birth if session.patient else None)
    return priority_reasons(born, ctx.wall.date(), beneficiary_group(session), session.declared)


def order_for(session: Session, key: str) -> TicketOrder | None:
    if session.department_id is None or session.patient is None:
        return None
    return TicketOrder(
        department_id=session.department_id,
        patient_id=session.patient.id,
        lane=Lane.PRIORITY if session.priority else Lane.NORMAL,
        visit=session.visit or VisitType.FEE,
        idempotency_key=key,
        priority_reasons=tuple(sorted(session.priority)),
    )


def queue_ticket(session: Session, issued: IssuedTicket, ctx: Context, config: FlowConfig) -> QueueTicket | None:
    """The printed ticket (in Vietnamese, the hospital's language), or None when it cannot be printed."""
    patient = session.patient
    if patient is None or patient.date_of_birth is None:
        return None  # the ticket names the patient by name and birth year
    room = issued.room_name.vi if issued.room_name else issued.department_name.vi
    location = issued.room_location.vi if issued.room_location else ""
    try:
        return QueueTicket(
            hospital_name=config.hospital_name,
            department_name=issued.department_name.vi,
            room_name=room,
            room_location=location,
            queue_number=issued.number,
            lane=issued.lane,
            patient_display_name=patient.full_name,
            patient_birth_year=patient.date_of_birth.year,
            visit_type=issued.visit,
            printed_at=ctx.wall,
            status_url=issued.status_url,
            wait_estimate_minutes=issued.wait_estimate_minutes,
            provisional=issued.provisional,
            number_label=issued.display_number,  # the hub's number is the one on every screen and on paper
            payment=issued.payment,
        )
    except (TicketError, ValueError):
        return None


def hand_over(session: Session, issued: IssuedTicket, ctx: Context, config: FlowConfig) -> Transition:
    """The hub's ticket to the patient: printed, or on screen when it cannot be or the patient chose so."""
    with_ticket = replace(session, ticket=issued)
    printable = queue_ticket(with_ticket, issued, ctx, config)
    if printable is None or session.ticket_on_screen:
        return Transition(with_ticket.at(Step.SCREEN_TICKET, ctx.now))
    return Transition(with_ticket.at(Step.PRINTING, ctx.now), (PrintTicket(session.generation, printable),))
