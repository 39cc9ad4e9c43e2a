"""Kiosk HIS API v1: departments, patients, BHYT entitlement and appointments."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Header, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import Field

from kiosk.domain.dates import local_date
from kiosk.domain.masking import mask_id
from kiosk.domain.priority import PriorityReason
from kiosk.domain.ticket import Lane, VisitType
from kiosk_hub import errors, wire
from kiosk_hub.access.lookups import LookupRefusedError
from kiosk_hub.access.principals import KioskPrincipal
from kiosk_hub.db.models import AppointmentStatus, Room
from kiosk_hub.his.contract import HisAppointment
from kiosk_hub.his.port import HisUnavailableError
from kiosk_hub.hub import Hub
from kiosk_hub.queue.departments import list_departments, room_wire
from kiosk_hub.queue.tickets import IssueRequest
from kiosk_hub.web.deps import HubDep, problems

router = APIRouter(prefix="/api/v1")


@router.get("/departments", response_model=wire.DepartmentList, responses=problems(), tags=["departments"])
def get_departments(hub: HubDep, _kiosk: KioskPrincipal) -> wire.DepartmentList:
    """Departments with rooms, opening hours, today's queue length and the wait for a ticket issued now."""
    with hub.reader() as session:
        return wire.DepartmentList(departments=list_departments(session, hub.clock(), hub.queue.estimator))


@router.post(
    "/patients/lookup",
    response_model=wire.Patient,
    responses={
        **problems(404),
        429: {
            "model": wire.Problem,
            "content": {"application/problem+json": {}},
            "description": "the kiosk's lookup allowance is spent: again after `Retry-After` seconds",
            "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
        },
    },
    tags=["patients"],
)
async def lookup_patient(body: wire.PatientLookup, hub: HubDep, kiosk: KioskPrincipal) -> wire.Patient:
    """The patient with this identifier (sent in the body, never in a URL that access logs keep), with only what the
    kiosk's next steps need. Each kiosk has an allowance — a burst of a few lookups, then one every few seconds;
    beyond it 429 with `Retry-After` — and every lookup is logged (kiosk, time, kind, a keyed hash of the
    identifier) for the hospital's IT to read. 404 `patient_not_found`, or 404 `his_unavailable` when the HIS did
    not answer: register the patient from the card, the hub keeps the registration for the HIS and the patient gets
    their number."""
    guard = hub.access.lookups
    try:
        guard.check_recent_refusal(kiosk, hub.clock())
        found = await run_in_threadpool(hub.reception.find_patient, body.kind, body.value)
        await hub.write(_admit_and_log, hub, kiosk, body, found is not None)
    except LookupRefusedError as refused:
        raise errors.lookups_rate_limited(refused.retry_after_seconds) from None
    if found is None:
        raise errors.not_found("patient")
    return found


def _admit_and_log(hub: Hub, kiosk: str, body: wire.PatientLookup, found: bool) -> None:
    with hub.writer() as session:
        hub.access.lookups.admit_and_log(session, kiosk, body.kind.value, body.value, found, hub.clock())
        session.commit()


@router.post(
    "/patients",
    response_model=wire.Patient,
    status_code=201,
    responses={200: {"model": wire.Patient, "description": "already registered"}, **problems(409)},
    tags=["patients"],
)
async def register_patient(
    body: wire.PatientRegistration, response: Response, hub: HubDep, _kiosk: KioskPrincipal
) -> wire.Patient:
    """Register a patient; 201 when created, 200 with the existing record when they were already registered.
    While the HIS does not answer: 201 with a provisional patient (`id` "pending:…"), registered in the HIS later."""
    patient, created = await asyncio.to_thread(hub.reception.register_patient, body)
    response.status_code = 201 if created else 200
    return patient


@router.post("/entitlement/check", response_model=wire.Entitlement, responses=problems(), tags=["entitlement"])
async def check_entitlement(body: wire.EntitlementRequest, hub: HubDep, _kiosk: KioskPrincipal) -> wire.Entitlement:
    """The BHYT card check through the BHXH gateway, normalised; a gateway outage answers register_and_recheck."""
    return await hub.entitlement.check(body, local_date(hub.clock()))


def _booking(hub: HubDep, code: str) -> HisAppointment:
    try:
        booked = hub.his.find_appointment(code)
    except HisUnavailableError as exc:
        raise errors.HubError(503, "his_unavailable", "The hospital's HIS did not answer") from exc
    if booked is None:
        raise errors.not_found("appointment")
    return booked


def _appointment_wire(hub: HubDep, booked: HisAppointment) -> wire.Appointment:
    with hub.reader() as session:
        room = session.get(Room, booked.room_id) if booked.room_id else None
        return wire.Appointment(
            code=booked.code,
            patient_id=booked.patient_id,
            department_id=booked.department_id,
            room=room_wire(room) if room else None,
            doctor_name=booked.doctor_name,
            starts_at=booked.starts_at,
            status=booked.status,
            check_in_opens_at=booked.starts_at - hub.settings.check_in_opens_before,
            check_in_closes_at=booked.starts_at + hub.settings.check_in_closes_after,
            patient_name=booked.patient_name,
            patient_birth_year=booked.patient_birth_year,
            patient_id_masked=mask_id(booked.patient_id_number) if booked.patient_id_number else None,
        )


@router.get(
    "/appointments/{code}", response_model=wire.Appointment, responses=problems(404, 503), tags=["appointments"]
)
def get_appointment(code: str, hub: HubDep, _kiosk: KioskPrincipal) -> wire.Appointment:
    """The booking behind the code in a booking QR (503 `his_unavailable` when the HIS does not answer)."""
    return _appointment_wire(hub, _booking(hub, code))


class CheckInRequest(wire.Wire):
    lane: Lane = Lane.NORMAL
    priority_reasons: list[PriorityReason] = Field(default_factory=list, max_length=6)
    visit_type: VisitType = VisitType.BHYT


@router.post(
    "/appointments/{code}/check-in",
    response_model=wire.CheckIn,
    responses=problems(404, 409, 503),
    tags=["appointments"],
)
def check_in(
    code: str,
    hub: HubDep,
    kiosk: KioskPrincipal,
    body: CheckInRequest | None = None,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key", max_length=128),
) -> wire.CheckIn:
    """Check in for a booking inside its window; the answer carries the queue ticket (the same one on a retry)."""
    booked = _booking(hub, code)
    appointment = _appointment_wire(hub, booked)
    now = hub.clock()
    if booked.status is AppointmentStatus.CANCELLED:
        raise errors.appointment_cancelled()
    if booked.status is AppointmentStatus.BOOKED:
        if now < appointment.check_in_opens_at:
            raise errors.check_in_too_early()
        if now > appointment.check_in_closes_at:
            raise errors.check_in_too_late()
    body = body or CheckInRequest()
    ticket_request = wire.TicketRequest(
        department_id=booked.department_id,
        patient_id=booked.patient_id,
        lane=body.lane,
        priority_reasons=body.priority_reasons,
        visit_type=body.visit_type,
    )
    issue = IssueRequest(kiosk, idempotency_key or f"check-in:{code}", ticket_request, appointment_code=code)
    ticket, _existing = hub.queue.issue(issue)
    try:
        booked = hub.his.mark_checked_in(code, now)
    except HisUnavailableError:
        # The ticket stands; the visit queued with it carries the booking's code to the HIS when it answers.
        booked = booked.model_copy(update={"status": AppointmentStatus.CHECKED_IN})
    return wire.CheckIn(appointment=_appointment_wire(hub, booked), ticket=ticket)
