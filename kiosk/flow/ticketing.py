"""From a usable entitlement to paper: visit type, department, confirmation, the hub's ticket and the printer."""

from __future__ import annotations

from dataclasses import replace

from kiosk.flow.desk import to_desk
from kiosk.flow.effects import IssueTicket, LoadDepartments, PrintTicket
from kiosk.flow.events import (
    Back,
    ChooseDepartment,
    ChooseDesk,
    ChooseVisit,
    Confirm,
    DepartmentsLoaded,
    Event,
    HubFailed,
    Printed,
    PrintFailed,
    TicketIssued,
    ToggleDeclared,
)
from kiosk.flow.orders import DECLARABLE, order_for, priority_for, queue_ticket
from kiosk.flow.records import VisitKind
from kiosk.flow.state import Session, Step
from kiosk.flow.transition import Context, FlowConfig, Transition
from kiosk.flow.triage import choose_fee


def handle(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, HubFailed):
        failed = session.at(Step.HUB_FAILED, ctx.now, failed_operation=event.operation)
        return Transition(replace(failed, notice_key=event.message_key))
    handler = _HANDLERS.get(session.step)
    return handler(session, event, ctx, config) if handler else Transition(session)


def _visit_type(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, ChooseVisit):
        if event.visit == VisitKind.FEE:
            return choose_fee(session, ctx)
        if session.bhyt_allowed:
            moved = session.at(Step.DEPARTMENT, ctx.now, visit=VisitKind.BHYT)
            return Transition(moved, () if session.departments else (LoadDepartments(session.generation),))
    if isinstance(event, ChooseDesk):
        return to_desk(session, "patient_chose_desk", ctx, config)
    return Transition(session)


def _department(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, DepartmentsLoaded):
        return Transition(replace(session, departments=event.departments))
    if isinstance(event, Back):
        return Transition(session.at(Step.VISIT_TYPE, ctx.now, department_id=None))
    if isinstance(event, ChooseDepartment):
        chosen = next((d for d in session.departments if d.id == event.department_id), None)
        if chosen is None:
            return Transition(session)
        if not chosen.open_now:
            return Transition(replace(session, notice_key="department.closed"))
        return Transition(session.at(Step.CONFIRM, ctx.now, department_id=chosen.id, ticket_key=None))
    return Transition(session)


def _confirm(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, ToggleDeclared) and event.reason in DECLARABLE:
        return Transition(replace(session, declared=session.declared ^ {event.reason}))
    if isinstance(event, Back):
        return Transition(session.at(Step.DEPARTMENT, ctx.now, ticket_key=None))
    if isinstance(event, Confirm):
        key = session.ticket_key or ctx.fresh_key
        ready = replace(session, priority=priority_for(session, ctx), ticket_key=key)
        order = order_for(ready, key)
        if order is None:
            return to_desk(session, "incomplete_session", ctx, config)
        return Transition(ready.at(Step.ISSUING, ctx.now), (IssueTicket(session.generation, order),))
    return Transition(session)


def _issuing(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if not isinstance(event, TicketIssued):
        return Transition(session)
    with_ticket = replace(session, ticket=event.ticket)
    printable = queue_ticket(with_ticket, event.ticket, ctx, config)
    if printable is None:
        return Transition(with_ticket.at(Step.SCREEN_TICKET, ctx.now))
    return Transition(with_ticket.at(Step.PRINTING, ctx.now), (PrintTicket(session.generation, printable),))


def _printing(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, Printed):
        return Transition(session.at(Step.DONE, ctx.now, printed=True))
    if isinstance(event, PrintFailed):
        return Transition(replace(session.at(Step.SCREEN_TICKET, ctx.now), notice_key="printer.failed"))
    return Transition(session)


def _desk_slip(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, Printed):
        return Transition(session.at(Step.DESK, ctx.now, printed=True))
    if isinstance(event, PrintFailed):
        return Transition(replace(session.at(Step.DESK, ctx.now, printed=False), notice_key="printer.failed"))
    return Transition(session)


_HANDLERS = {
    Step.VISIT_TYPE: _visit_type,
    Step.DEPARTMENT: _department,
    Step.CONFIRM: _confirm,
    Step.ISSUING: _issuing,
    Step.PRINTING: _printing,
    Step.DESK_SLIP_PRINTING: _desk_slip,
}
