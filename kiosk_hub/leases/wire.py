"""Wire models of the lease routes (`/api/v1/leases...`), in the Kiosk HIS API's conventions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from kiosk.domain.priority import PriorityReason
from kiosk.domain.ticket import Lane, VisitType
from kiosk_hub.leases.models import ReplayOutcome
from kiosk_hub.wire import EntitlementRequest, PatientRegistration, Ticket, Wire

DepartmentId = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class LeaseRequest(Wire):
    department_id: DepartmentId
    lane: Lane = Lane.NORMAL


class Lease(Wire):
    id: str
    department_id: str
    lane: Lane
    day: date = Field(description="the local day (Asia/Ho_Chi_Minh) the numbers belong to")
    first_number: int
    last_number: int
    renew_after: datetime = Field(description="ask for a fresh block after this moment, so numbers stay near the queue")


class LeaseList(Wire):
    leases: list[Lease]


class LeasesReturned(Wire):
    returned: int


class ProvisionalRegistration(Wire):
    """A ticket a kiosk printed from its lease while the hub was unreachable."""

    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    department_id: DepartmentId
    lane: Lane
    number: int = Field(ge=1, le=9999)
    day: date
    issued_at: datetime
    visit_type: VisitType
    priority_reasons: list[PriorityReason] = Field(default_factory=list, max_length=6)
    patient_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        default=None, description="the HIS's patient when the kiosk found them before the hub went away"
    )
    patient: PatientRegistration | None = Field(default=None, description="else the patient to register now")
    entitlement: EntitlementRequest | None = Field(default=None, description="the card to check again (BHXH)")


class ReplayBatch(Wire):
    registrations: list[ProvisionalRegistration] = Field(min_length=1, max_length=200)


class Replayed(Wire):
    idempotency_key: str
    outcome: ReplayOutcome
    provisional_number: int
    ticket: Ticket = Field(description="the patient's ticket now in the queue (another one when merged)")
    recheck_queued: bool


class ReplayResult(Wire):
    replayed: list[Replayed]
