"""Wire models of the Kiosk HIS API v1 (the contract the kiosk's HIS client is written against).

Field names are stable once published; add fields, never rename. Dates are ISO 8601; partial dates of birth are
"YYYY", "YYYY-MM" or "YYYY-MM-DD"; moments carry their UTC offset.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kiosk.domain.entitlement import EntitlementAction
from kiosk.domain.priority import PriorityReason
from kiosk.domain.ticket import Lane, VisitType
from kiosk_hub.db.models import AppointmentStatus, LanePolicy, TicketStatus

PartialDateText = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """An RFC 9457 problem; `code` is stable and `message_key` names the patient-facing message."""

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str | None = None
    message_key: str | None = None


class LocalizedText(Wire):
    vi: str
    en: str


class OpeningPeriod(Wire):
    days: list[int] = Field(description="ISO weekdays, 1 = Monday … 7 = Sunday")
    opens: str = Field(pattern=r"^\d{2}:\d{2}$")
    closes: str = Field(pattern=r"^\d{2}:\d{2}$")


class Room(Wire):
    id: str
    name: LocalizedText
    location: LocalizedText


class Department(Wire):
    id: str
    name: LocalizedText
    location: LocalizedText
    rooms: list[Room]
    opening_hours: list[OpeningPeriod]
    open_now: bool
    lane_policy: LanePolicy
    priority_every: int | None = Field(description="interleaved lanes: one priority ticket after this many normal")
    queue_length: int = Field(description="tickets waiting today")
    wait_estimate_minutes: int = Field(
        description="for a normal ticket issued now: the tickets ahead at the department's observed pace by hour of day"
        " (the configured minutes per patient until calls have been observed)"
    )


class DepartmentList(Wire):
    departments: list[Department]


class IdentifierKind(StrEnum):
    CCCD = "cccd"  # 12-digit citizen ID
    BHXH_NUMBER = "bhxh_number"  # 10-digit social-insurance number
    BHYT_CODE = "bhyt_code"  # 15-character card code (old cards) or the 10-digit number (new cards)
    PATIENT_CODE = "patient_code"  # the hospital's own patient code


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class PatientLookup(Wire):
    kind: IdentifierKind
    value: Annotated[str, StringConstraints(min_length=1, max_length=32, strip_whitespace=True)]


class Patient(Wire):
    """A patient as a kiosk may know them: what its next steps need (print the name and birth year, the priority
    lane by age, the BHYT check by name and date of birth). The HIS's other identifiers (card numbers, the full ID
    number, the patient code) stay on the hub: the entitlement check with `patient_id` tries the cards on file."""

    id: str = Field(description="the HIS's patient reference, used in tickets and entitlement checks")
    full_name: str
    date_of_birth: PartialDateText
    id_number_masked: str | None = Field(description="the citizen ID with all but the last 4 digits hidden")


class PatientRegistration(Wire):
    """A new patient; at least one of id_number, bhxh_number, bhyt_code. Registering twice returns the first."""

    full_name: ShortText
    date_of_birth: PartialDateText
    sex: Sex | None = None
    id_number: Annotated[str, StringConstraints(pattern=r"^\d{12}$")] | None = None
    bhxh_number: Annotated[str, StringConstraints(pattern=r"^\d{10}$")] | None = None
    bhyt_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{10,15}$")] | None = None
    address: Annotated[str, StringConstraints(max_length=300)] | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?\d{8,15}$")] | None = None


class EntitlementRequest(Wire):
    card_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{10,15}$")] = Field(
        description="BHYT code (15), BHXH number (10) or CCCD (12), as the gateway's maThe"
    )
    full_name: ShortText
    date_of_birth: PartialDateText
    patient_id: str | None = Field(
        default=None,
        description="the HIS's patient: when the gateway does not know this card (050–053), the hub tries the"
        " patient's other cards on file before answering",
    )


class Entitlement(Wire):
    action: EntitlementAction
    message_key: str
    bhxh_code: str | None = Field(description="the gateway's maKetQua; null when the gateway did not answer")
    bhxh_note: str | None
    to_recheck: bool = Field(description="gateway unreachable: registered anyway, the hub re-checks later")
    card_code: str | None = Field(description="the card to use now (the new card's code for 003/004)")
    new_card_applied: bool
    benefit_level: int | None
    benefit_percent: int | None
    valid_from: date | None
    valid_to: date | None
    valid_today: bool | None
    registered_facility_code: str | None
    registered_facility_name: str | None
    registered_here: bool | None
    five_year_date: date | None
    gateway_full_name: str | None = Field(description="060/061: the name the gateway holds, for one retry")
    gateway_date_of_birth: PartialDateText | None = Field(description="070: the date the gateway holds")


class Appointment(Wire):
    code: str
    patient_id: str
    department_id: str
    room: Room | None
    doctor_name: str
    starts_at: datetime
    status: AppointmentStatus
    check_in_opens_at: datetime
    check_in_closes_at: datetime
    patient_name: str = Field(default="", description="the patient's name as the ticket prints it")
    patient_birth_year: int | None = Field(default=None, description="the year of birth only (the ticket's check)")
    patient_id_masked: str | None = Field(
        default=None, description="the citizen ID with all but the last 4 digits hidden (never the full number)"
    )


class TicketRequest(Wire):
    department_id: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    patient_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    lane: Lane = Lane.NORMAL
    priority_reasons: list[PriorityReason] = Field(
        default_factory=list, max_length=6, description="why the priority lane (the law's reasons; staff confirm some)"
    )
    visit_type: VisitType = VisitType.FEE


class Ticket(Wire):
    id: str
    number: int
    display_number: str = Field(description="what the ticket prints, e.g. '0012' or 'UT-0003'")
    department_id: str
    department_name: LocalizedText
    lane: Lane
    day: date
    room: Room | None
    visit_type: VisitType
    status: TicketStatus
    issued_at: datetime
    called_at: datetime | None
    position: int | None = Field(description="tickets to be called before this one; null once called/cancelled")
    wait_estimate_minutes: int | None = Field(
        description="the `position` at the department's observed pace by hour of day; null once called/cancelled"
    )
    status_url: str
    reprint: bool = Field(description="true when this is an existing ticket handed back (retry or same patient)")


class CheckIn(Wire):
    appointment: Appointment
    ticket: Ticket
