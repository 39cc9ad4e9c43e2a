"""The Kiosk HIS API v1 as this client reads and writes it (docs/openapi.json).

Kept apart from the flow's records so a wire change touches this file and the mapping only. Answers are read
tolerantly (unknown fields ignored: the hub may add fields); requests are built strictly.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Problem(Answer):
    title: str = ""
    status: int
    code: str = "unknown"
    message_key: str | None = None


class LocalizedText(Answer):
    vi: str
    en: str


class Room(Answer):
    id: str
    name: LocalizedText
    location: LocalizedText


class Department(Answer):
    id: str
    name: LocalizedText
    location: LocalizedText
    open_now: bool
    queue_length: int
    wait_estimate_minutes: int


class DepartmentList(Answer):
    departments: list[Department]


class PatientLookup(Request):
    kind: str
    value: str


class PatientRegistration(Request):
    full_name: str
    date_of_birth: str
    sex: str | None = None
    id_number: str | None = None
    bhxh_number: str | None = None
    bhyt_code: str | None = None


class Patient(Answer):
    """What the hub tells a kiosk of a patient: no card numbers (the hub's entitlement check tries those)."""

    id: str
    full_name: str
    date_of_birth: str
    id_number_masked: str | None = None


class EntitlementRequest(Request):
    card_code: str
    full_name: str
    date_of_birth: str
    patient_id: str | None = None


class Entitlement(Answer):
    # The same facts as the flow's EntitlementAnswer, on purpose: the wire may change, the flow's record does not.
    # pylint: disable=duplicate-code
    action: str
    message_key: str
    bhxh_code: str | None = None
    to_recheck: bool = False
    card_code: str | None = None
    new_card_applied: bool = False
    benefit_level: int | None = None
    benefit_percent: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    valid_today: bool | None = None
    registered_facility_name: str | None = None
    registered_here: bool | None = None
    five_year_date: date | None = None
    gateway_full_name: str | None = None
    gateway_date_of_birth: str | None = None


class TicketRequest(Request):
    department_id: str
    patient_id: str | None = None
    lane: str = "normal"
    priority_reasons: list[str] = []
    visit_type: str = "fee"


class Ticket(Answer):
    id: str
    number: int
    display_number: str
    department_id: str
    department_name: LocalizedText
    lane: str
    room: Room | None = None
    visit_type: str
    issued_at: datetime
    position: int | None = None
    wait_estimate_minutes: int | None = None
    status_url: str
    reprint: bool = False


class Appointment(Answer):
    code: str
    patient_id: str
    department_id: str
    room: Room | None = None
    doctor_name: str = ""
    starts_at: datetime
    status: str
    check_in_opens_at: datetime
    check_in_closes_at: datetime
    patient_name: str = ""
    patient_birth_year: int | None = None
    patient_id_masked: str | None = None


class CheckInRequest(Request):
    lane: str = "normal"
    priority_reasons: list[str] = []
    visit_type: str = "fee"


class CheckIn(Answer):
    appointment: Appointment
    ticket: Ticket


class HelpCallRequest(Request):
    location: str = ""
    screen: str = ""


class HelpCallAnswer(Answer):
    id: str
    already_open: bool = False
