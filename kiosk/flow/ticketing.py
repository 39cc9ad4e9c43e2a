"""From a usable entitlement to paper: visit type, department, confirmation, the hub's ticket and the printer."""

from __future__ import annotations

from dataclasses import replace

from kiosk.domain.printer_state import PRINTER_FAILED, message_key
from kiosk.domain.ticket import VisitType
from kiosk.flow import paying
from kiosk.flow.appointments import back_to_identify, issue_effect
from kiosk.flow.desk import desk_qr_payload, to_desk
from kiosk.flow.effects import AlertIt, CheckPrinter, LoadDepartments, QuoteFee
from kiosk.flow.events import (
    Back,
    ChooseDepartment,
    ChooseDesk,
    ChooseVisit,
    Confirm,
    DepartmentsLoaded,
    Event,
    FeeQuoted,
    HubFailed,
    Printed,
    PrinterChecked,
    PrintFailed,
    TicketIssued,
    ToggleDeclared,
    TryAgain,
)
from kiosk.flow.orders import DECLARABLE, hand_over, order_for, priority_for
from kiosk.flow.state import Session, Step
from kiosk.flow.transition import Context, FlowConfig, Transition
from kiosk.flow.triage import choose_fee


def handle(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, HubFailed):
        failed = replace(session.at(Step.HUB_FAILED, ctx.now), failed_operation=event.operation)
        return Transition(replace(failed, notice_key=event.message_key))
    handler = _HANDLERS.get(session.step)
    return handler(session, event, ctx, config) if handler else Transition(session)


def _visit_type(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, ChooseVisit):
        if event.visit == VisitType.FEE:
            return choose_fee(session, ctx)
        if session.bhyt_allowed:
            moved = replace(session.at(Step.DEPARTMENT, ctx.now), visit=VisitType.BHYT)
            return Transition(moved, () if session.departments else (LoadDepartments(session.generation),))
    if isinstance(event, ChooseDesk):
        return to_desk(session, "patient_chose_desk", ctx, config)
    return Transition(session)


def _department(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, DepartmentsLoaded):
        return Transition(replace(session, departments=event.departments))
    if isinstance(event, Back):
        return Transition(replace(session.at(Step.VISIT_TYPE, ctx.now), department_id=None))
    if isinstance(event, ChooseDepartment):
        chosen = next((d for d in session.departments if d.id == event.department_id), None)
        if chosen is None:
            return Transition(session)
        if not chosen.open_now:
            return Transition(replace(session, notice_key="department.closed"))
        chosen_one = replace(session, department_id=chosen.id, ticket_key=None, fee=None)
        if session.visit != VisitType.FEE:
            return Transition(chosen_one.at(Step.CONFIRM, ctx.now))
        # The price first: the confirm screen (and the voice) show it before the patient can commit.
        reasons = tuple(sorted(priority_for(chosen_one, ctx)))
        quote = QuoteFee(session.generation, chosen.id, VisitType.FEE, reasons)
        return Transition(chosen_one.at(Step.PRICING, ctx.now), (quote,))
    return Transition(session)


def _pricing(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, FeeQuoted):
        return Transition(replace(session.at(Step.CONFIRM, ctx.now), fee=event.quote))
    return Transition(session)


def _confirm(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, ToggleDeclared) and event.reason in DECLARABLE:
        return Transition(replace(session, declared=session.declared ^ {event.reason}))
    if isinstance(event, Back):
        if session.appointment is not None:  # the booking names the department: back is a fresh identify
            return Transition(back_to_identify(session, None, ctx))
        return Transition(replace(session.at(Step.DEPARTMENT, ctx.now), ticket_key=None, fee=None))
    if isinstance(event, Confirm):
        key = session.ticket_key or ctx.fresh_key
        ready = replace(session, priority=priority_for(session, ctx), ticket_key=key)
        if order_for(ready, key) is None:
            return to_desk(session, "incomplete_session", ctx, config)
        if session.ticket_on_screen:
            return _issue(ready, ctx, config)
        # The printer first: a number is taken only once the patient can get it on paper or chose not to.
        return Transition(ready.at(Step.ISSUING, ctx.now), (CheckPrinter(session.generation),))
    return Transition(session)


def _issue(session: Session, ctx: Context, config: FlowConfig) -> Transition:
    if session.takes_payment and session.payment is None:
        return paying.open_payment(session, ctx, config)  # the fee first; the hub issues the ticket it buys
    order = order_for(session, session.ticket_key or ctx.fresh_key)
    if order is None:
        return to_desk(session, "incomplete_session", ctx, config)
    return Transition(session.at(Step.ISSUING, ctx.now), (issue_effect(session, order),))


def _issuing(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, PrinterChecked):
        if event.printable:
            return _issue(session, ctx, config)
        not_ready = session.at(Step.PRINTER_NOT_READY, ctx.now)
        notice = message_key(event.state)  # what the patient reads; IT gets the state itself in the alert
        return Transition(replace(not_ready, notice_key=notice), (AlertIt(f"printer_{event.state}"),))
    if not isinstance(event, TicketIssued):
        return Transition(session)
    return hand_over(session, event.ticket, ctx, config)


def _printer_not_ready(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    """The printer cannot print: the number on screen (with its QR), the desk, ask the printer again, or back."""
    if isinstance(event, Confirm):
        return _issue(replace(session, ticket_on_screen=True), ctx, config)
    if isinstance(event, TryAgain):
        return Transition(session.at(Step.ISSUING, ctx.now), (CheckPrinter(session.generation),))
    if isinstance(event, ChooseDesk):
        # No slip can be printed either: the desk reads the QR on screen.
        payload = desk_qr_payload(session, "printer_fault")
        desk = replace(session.at(Step.DESK, ctx.now), desk_reason="printer_fault", desk_qr=payload, printed=False)
        return Transition(replace(desk, notice_key=session.notice_key))
    if isinstance(event, Back):
        return Transition(session.at(Step.CONFIRM, ctx.now))
    return Transition(session)


def _printing(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, Printed):
        return Transition(replace(session.at(Step.DONE, ctx.now), printed=True))
    if isinstance(event, PrintFailed):
        return Transition(replace(session.at(Step.SCREEN_TICKET, ctx.now), notice_key=PRINTER_FAILED))
    return Transition(session)


def _desk_slip(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, Printed):
        return Transition(replace(session.at(Step.DESK, ctx.now), printed=True))
    if isinstance(event, PrintFailed):
        return Transition(replace(session.at(Step.DESK, ctx.now), printed=False, notice_key=PRINTER_FAILED))
    return Transition(session)


_HANDLERS = {
    Step.VISIT_TYPE: _visit_type,
    Step.DEPARTMENT: _department,
    Step.PRICING: _pricing,
    Step.CONFIRM: _confirm,
    Step.ISSUING: _issuing,
    Step.PRINTER_NOT_READY: _printer_not_ready,
    Step.PRINTING: _printing,
    Step.DESK_SLIP_PRINTING: _desk_slip,
}
