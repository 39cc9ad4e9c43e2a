"""What the flow knows about a patient, their entitlement, departments and tickets: the types its ports speak.

These are the kiosk's own records, not the hub's wire models: the HIS client maps one to the other, so the flow
never changes when the wire does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from kiosk.domain.dates import PartialDate
from kiosk.domain.entitlement import EntitlementAction
from kiosk.domain.payment_state import PaymentState
from kiosk.domain.ticket import Lane, PaymentLine, VisitType


class IdentitySource(StrEnum):
    """How the patient identified themselves; chip reads end when the card is taken away."""

    CHIP = "chip"
    CCCD_QR = "cccd_qr"
    BHYT_QR = "bhyt_qr"
    TYPED = "typed"


class IdentifierKind(StrEnum):
    """Which number the HIS is asked to find a patient by."""

    CCCD = "cccd"
    BHXH_NUMBER = "bhxh_number"
    BHYT_CODE = "bhyt_code"
    PATIENT_CODE = "patient_code"


@dataclass(frozen=True, slots=True)
class PresentedIdentity:
    """What the patient's card, QR or typed number told the kiosk. Lives only as long as the session."""

    source: IdentitySource
    lookup_kind: IdentifierKind
    lookup_value: str
    full_name: str | None = None
    date_of_birth: PartialDate | None = None
    sex: str | None = None
    id_number: str | None = None
    bhyt_code: str | None = None
    bhxh_number: str | None = None

    @property
    def complete(self) -> bool:
        """Enough to register a new patient and to ask the gateway (name and date of birth)."""
        return bool(self.full_name and self.date_of_birth)

    def card_codes(self) -> tuple[str, ...]:
        """Identifiers the gateway accepts as maThe, the most specific first, without repeats."""
        codes = [c for c in (self.bhyt_code, self.bhxh_number, self.id_number) if c]
        return tuple(dict.fromkeys(codes))


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """The HIS's patient, as the kiosk may show it (the ID number only masked)."""

    id: str
    full_name: str
    date_of_birth: PartialDate | None  # None: the HIS did not say (a booking's patient may come with the year only)
    id_number_masked: str | None = None
    bhyt_code: str | None = None
    bhxh_number: str | None = None


@dataclass(frozen=True, slots=True)
class EntitlementAnswer:
    """The gateway's verdict on a card, as the hub relays it, with the card facts a patient may see."""

    action: EntitlementAction
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
    gateway_date_of_birth: PartialDate | None = None


@dataclass(frozen=True, slots=True)
class Bilingual:
    vi: str
    en: str

    def pick(self, language: str) -> str:
        return self.en if language == "en" else self.vi


@dataclass(frozen=True, slots=True)
class DepartmentChoice:
    id: str
    name: Bilingual
    location: Bilingual
    open_now: bool
    queue_length: int
    wait_estimate_minutes: int


@dataclass(frozen=True, slots=True)
class TicketOrder:
    """What the kiosk asks the hub for; the idempotency key makes a retried order return the same ticket."""

    department_id: str
    patient_id: str
    lane: Lane
    visit: VisitType
    idempotency_key: str
    priority_reasons: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class IssuedTicket:
    id: str
    number: int
    display_number: str
    department_name: Bilingual
    room_name: Bilingual | None
    room_location: Bilingual | None
    lane: Lane
    visit: VisitType
    issued_at: datetime
    status_url: str
    position: int | None
    wait_estimate_minutes: int | None
    reprint: bool
    provisional: bool = False  # from the kiosk's number lease while the hub was unreachable
    payment: PaymentLine | None = None  # paid at the kiosk (the bank's reference), or to be paid from a phone


@dataclass(frozen=True, slots=True)
class FeeQuote:
    """What the visit costs at the kiosk, shown before the patient commits; `payment_required` False: nothing is
    taken here (BHYT, exempt, free, the price unknown or payments off: the cashier takes it, as before)."""

    payment_required: bool
    amount_vnd: int | None = None
    service_name: str | None = None
    pay_later: bool = False
    reason: str | None = None


# Why a fee-paying visit's fee is not taken at the kiosk although it is due: the cashier takes it, as before.
CASHIER_REASONS = frozenset({"fee_unknown", "bank_unavailable", "payments_off", "unavailable"})


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """A payment as the hub answers it: the QR to show and, once the bank confirmed it, the ticket it bought."""

    id: str
    reference: str
    state: PaymentState
    amount_vnd: int
    qr_payload: str | None
    account_name: str
    expires_in_s: int
    status_url: str
    pay_later: bool = False
    bank_reference: str | None = None  # only from the bank's confirmation
    ticket: IssuedTicket | None = None


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"  # checked in already: the hub gives the same ticket back
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class AppointmentRecord:
    """A booking found by the code in its QR, with the patient as the ticket shows them (ID masked at most)."""

    code: str
    patient: PatientRecord
    department_id: str
    doctor_name: str
    starts_at: datetime
    status: AppointmentStatus
    opens_at: datetime  # the hub's check-in window
    closes_at: datetime
    room_name: Bilingual | None = None

    def refusal(self, now: datetime) -> str | None:
        """The message key telling why a check-in now would be refused, or None when it can go ahead."""
        if self.status is AppointmentStatus.CANCELLED:
            return "appointment.cancelled"
        if self.status is AppointmentStatus.CHECKED_IN:
            return None
        if now < self.opens_at:
            return "appointment.too_early"
        if now > self.closes_at:
            return "appointment.too_late"
        return None
