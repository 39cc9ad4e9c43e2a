"""From a known identity to a decision: find (or register) the patient, ask the gateway, follow its answer.

Every entitlement action the gateway can give (kiosk.domain.entitlement) has a path here: proceed, retry once with the
gateway's correction, another identifier, fee-paying or desk, the desk, registered-to-be-rechecked, and
configuration faults (IT alerted, patient to the desk).
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.domain.entitlement import EntitlementAction
from kiosk.domain.ticket import VisitType
from kiosk.flow import paying
from kiosk.flow.appointments import issue_effect
from kiosk.flow.desk import reason_for, to_desk
from kiosk.flow.effects import AlertIt, CheckEntitlement, Effect, FindPatient, LoadDepartments, RegisterPatient
from kiosk.flow.events import (
    ChooseDesk,
    ChooseVisit,
    EntitlementChecked,
    Event,
    HubFailed,
    PatientFound,
    PatientNotFound,
    TryAgain,
)
from kiosk.flow.orders import order_for
from kiosk.flow.records import EntitlementAnswer
from kiosk.flow.state import Mode, Operation, Session, Step
from kiosk.flow.transition import Context, FlowConfig, Transition

STEPS = frozenset({Step.FINDING_PATIENT, Step.CHECKING_ENTITLEMENT, Step.ENTITLEMENT_PROBLEM, Step.HUB_FAILED})
_A = EntitlementAction


def handle(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, HubFailed):
        failed = replace(session.at(Step.HUB_FAILED, ctx.now), failed_operation=event.operation)
        return Transition(replace(failed, notice_key=event.message_key))
    if session.step == Step.FINDING_PATIENT:
        return _finding(session, event, ctx)
    if session.step == Step.CHECKING_ENTITLEMENT and isinstance(event, EntitlementChecked):
        return after_entitlement(replace(session, entitlement=event.answer), event.answer, ctx, config)
    if session.step == Step.ENTITLEMENT_PROBLEM:
        if isinstance(event, ChooseVisit) and event.visit == VisitType.FEE:
            return choose_fee(session, ctx)
        if isinstance(event, ChooseDesk):
            return to_desk(session, reason_for(session, "patient_chose_desk"), ctx, config)
    if session.step == Step.HUB_FAILED:
        if isinstance(event, TryAgain):
            return _try_again(session, ctx, config)
        if isinstance(event, ChooseDesk):
            return to_desk(session, "hub_unavailable", ctx, config)
    return Transition(session)


def choose_fee(session: Session, ctx: Context) -> Transition:
    moved = replace(session.at(Step.DEPARTMENT, ctx.now), visit=VisitType.FEE)
    return Transition(moved, () if session.departments else (LoadDepartments(session.generation),))


def _finding(session: Session, event: Event, ctx: Context) -> Transition:
    identity = session.identity
    if isinstance(event, PatientFound):
        return _check_first_code(replace(session, patient=event.patient), ctx)
    if isinstance(event, PatientNotFound) and identity is not None:
        if identity.complete:
            return Transition(session, (RegisterPatient(session.generation, identity),))
        # A typed number the hospital does not know, with no name or birth date to register it under.
        back = replace(session.at(Step.IDENTIFY, ctx.now), identity=None, typed="")
        return Transition(replace(back, notice_key="identify.patient_not_found"))
    return Transition(session)


def _codes(session: Session) -> tuple[str, ...]:
    codes: list[str] = list(session.identity.card_codes()) if session.identity else []
    if session.patient is not None:
        codes += [c for c in (session.patient.bhyt_code, session.patient.bhxh_number) if c]
    return tuple(dict.fromkeys(codes))


def _check(session: Session, code: str, ctx: Context) -> Transition:
    identity, patient = session.identity, session.patient
    name = (identity.full_name if identity else None) or (patient.full_name if patient else "")
    born = (identity.date_of_birth if identity else None) or (patient.date_of_birth if patient else None)
    moved = replace(session.at(Step.CHECKING_ENTITLEMENT, ctx.now), codes_tried=(*session.codes_tried, code))
    return Transition(moved, (CheckEntitlement(session.generation, code, name, born, patient.id if patient else None),))


def _check_first_code(session: Session, ctx: Context) -> Transition:
    codes = _codes(session)
    if not codes:
        if session.mode == Mode.BENEFIT_LOOKUP:
            return Transition(replace(session.at(Step.BENEFIT, ctx.now), notice_key="entitlement.no_card"))
        return Transition(replace(session.at(Step.ENTITLEMENT_PROBLEM, ctx.now), notice_key="entitlement.no_card"))
    return _check(session, codes[0], ctx)


def after_entitlement(session: Session, answer: EntitlementAnswer, ctx: Context, config: FlowConfig) -> Transition:
    lookup = session.mode == Mode.BENEFIT_LOOKUP
    if answer.action == _A.RETRY_ONCE:
        return _retry_with_correction(session, answer, ctx, config)
    if answer.action == _A.TRY_OTHER_IDENTIFIER:
        untried = [c for c in _codes(session) if c not in session.codes_tried]
        if untried:
            return _check(session, untried[0], ctx)
    alert: tuple[Effect, ...] = ()
    if answer.action == _A.CONFIGURATION_FAULT:
        alert = (AlertIt(reason_for(session, "configuration_fault")),)
    if lookup:
        return Transition(replace(session.at(Step.BENEFIT, ctx.now), notice_key=answer.message_key), alert)
    if answer.action in (_A.PROCEED, _A.USE_NEW_CARD, _A.REGISTER_AND_RECHECK) and session.bhyt_allowed:
        return Transition(session.at(Step.VISIT_TYPE, ctx.now))
    if answer.action in (_A.PROCEED, _A.USE_NEW_CARD, _A.FEE_OR_DESK):
        # Expired (010), or "valid" by code but outside gtTheTu..gtTheDen today: the patient may still pay.
        key = answer.message_key if answer.action == _A.FEE_OR_DESK else "entitlement.card_not_valid_today"
        return Transition(replace(session.at(Step.ENTITLEMENT_PROBLEM, ctx.now), notice_key=key))
    desk = to_desk(session, reason_for(session, answer.action.value), ctx, config)
    return Transition(desk.session, alert + desk.effects)


def _retry_with_correction(session: Session, answer: EntitlementAnswer, ctx: Context, config: FlowConfig) -> Transition:
    correction = answer.gateway_full_name or answer.gateway_date_of_birth
    if session.retried_with_correction or not correction or session.identity is None or not session.codes_tried:
        if session.mode == Mode.BENEFIT_LOOKUP:
            return Transition(replace(session.at(Step.BENEFIT, ctx.now), notice_key=answer.message_key))
        return to_desk(session, reason_for(session, "gateway_mismatch"), ctx, config)
    corrected = replace(
        session.identity,
        full_name=answer.gateway_full_name or session.identity.full_name,
        date_of_birth=answer.gateway_date_of_birth or session.identity.date_of_birth,
    )
    session = replace(session, identity=corrected, retried_with_correction=True)
    code = session.codes_tried[-1]
    return _check(replace(session, codes_tried=session.codes_tried[:-1]), code, ctx)


def _try_again(session: Session, ctx: Context, config: FlowConfig) -> Transition:
    op, gen, identity = session.failed_operation, session.generation, session.identity
    if op == Operation.ISSUE_TICKET and session.ticket_key:
        order = order_for(session, session.ticket_key)  # the same key: a ticket issued before the failure comes back
        if order is not None:
            return Transition(session.at(Step.ISSUING, ctx.now), (issue_effect(session, order),))
    if op == Operation.OPEN_PAYMENT:
        return paying.open_payment(session, ctx, config)  # the same key: the payment already opened comes back
    if op == Operation.LOAD_DEPARTMENTS:
        return Transition(session.at(Step.DEPARTMENT, ctx.now), (LoadDepartments(gen),))
    if op == Operation.CHECK_ENTITLEMENT and session.codes_tried:
        code = session.codes_tried[-1]
        return _check(replace(session, codes_tried=session.codes_tried[:-1]), code, ctx)
    if op == Operation.REGISTER_PATIENT and identity is not None:
        return Transition(session.at(Step.FINDING_PATIENT, ctx.now), (RegisterPatient(gen, identity),))
    if identity is not None:
        effect = FindPatient(gen, identity.lookup_kind, identity.lookup_value)
        return Transition(session.at(Step.FINDING_PATIENT, ctx.now), (effect,))
    return Transition(session)
