"""What can happen to a session: patient touches, device reports, hub answers and the clock.

Answers to effects carry the session generation they were asked for, so an answer that arrives after the
session was wiped is ignored instead of leaking into the next patient's session.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain.payload import ClassifiedPayload, classify
from kiosk.domain.priority import PriorityReason
from kiosk.domain.ticket import VisitType
from kiosk.flow.records import (
    AppointmentRecord,
    DepartmentChoice,
    EntitlementAnswer,
    FeeQuote,
    IssuedTicket,
    PatientRecord,
    PaymentRecord,
    PresentedIdentity,
)
from kiosk.flow.state import Operation

# --- the patient, on screen -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartCheckIn:
    pass


@dataclass(frozen=True, slots=True)
class StartBenefitLookup:
    pass


@dataclass(frozen=True, slots=True)
class ChooseLanguage:
    language: str


@dataclass(frozen=True, slots=True)
class KeypadDigit:
    digit: str


@dataclass(frozen=True, slots=True)
class KeypadErase:
    pass


@dataclass(frozen=True, slots=True)
class KeypadSubmit:
    pass


@dataclass(frozen=True, slots=True)
class ChooseVisit:
    visit: VisitType


@dataclass(frozen=True, slots=True)
class ChooseDesk:
    pass


@dataclass(frozen=True, slots=True)
class ChooseDepartment:
    department_id: str


@dataclass(frozen=True, slots=True)
class ToggleDeclared:
    reason: PriorityReason


@dataclass(frozen=True, slots=True)
class Confirm:
    pass


@dataclass(frozen=True, slots=True)
class TryAgain:
    pass


@dataclass(frozen=True, slots=True)
class Back:
    pass


@dataclass(frozen=True, slots=True)
class Cancel:
    """ "Xong"/"Hủy": the patient is finished or gives up; the session is wiped."""


@dataclass(frozen=True, slots=True)
class MoreTime:
    pass


@dataclass(frozen=True, slots=True)
class OpenMaintenance:
    """Staff's hidden gesture on the welcome screen (five quick taps on the hospital's name)."""


@dataclass(frozen=True, slots=True)
class PrintTestSlip:
    pass


@dataclass(frozen=True, slots=True)
class PayLater:
    """ "Trả sau": the ticket now with the QR printed on it, the fee paid from a phone (where the hospital allows)."""


# --- devices ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardPresented:
    identity: PresentedIdentity


@dataclass(frozen=True, slots=True)
class CardUnreadable:
    message_key: str = "identify.card_unreadable"


@dataclass(frozen=True, slots=True)
class CardNeedsKey:
    """A card is on the reader, but its chip opens only with facts printed on the card: ask for its QR."""


@dataclass(frozen=True, slots=True)
class CardRemoved:
    pass


@dataclass(frozen=True, slots=True)
class QrScanned:
    """A QR the camera read (or the demo showed), with what the domain makes of it: classified once, when read, for
    the chip bridge and the flow alike."""

    text: str
    payload: ClassifiedPayload

    @classmethod
    def of(cls, text: str) -> QrScanned:
        return cls(text, classify(text))


@dataclass(frozen=True, slots=True)
class PrinterChecked:
    generation: int
    printable: bool
    state: str  # the printer's state name, e.g. "ready", "paper_out", "no_response" (for IT, never for patients)


@dataclass(frozen=True, slots=True)
class Printed:
    generation: int


@dataclass(frozen=True, slots=True)
class PrintFailed:
    generation: int
    reason: str


# --- the hub ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PatientFound:
    generation: int
    patient: PatientRecord


@dataclass(frozen=True, slots=True)
class PatientNotFound:
    generation: int


@dataclass(frozen=True, slots=True)
class EntitlementChecked:
    generation: int
    answer: EntitlementAnswer


@dataclass(frozen=True, slots=True)
class DepartmentsLoaded:
    generation: int
    departments: tuple[DepartmentChoice, ...]


@dataclass(frozen=True, slots=True)
class TicketIssued:
    generation: int
    ticket: IssuedTicket


@dataclass(frozen=True, slots=True)
class HubFailed:
    generation: int
    operation: Operation
    message_key: str


@dataclass(frozen=True, slots=True)
class AppointmentFound:
    generation: int
    appointment: AppointmentRecord
    departments: tuple[DepartmentChoice, ...]


@dataclass(frozen=True, slots=True)
class AppointmentRefused:
    """No check-in for this booking code: not found, too early, too late, cancelled or the hub unreachable."""

    generation: int
    message_key: str


@dataclass(frozen=True, slots=True)
class FeeQuoted:
    generation: int
    quote: FeeQuote


@dataclass(frozen=True, slots=True)
class PaymentChanged:
    """The hub's answer about the payment: opened (its QR), still waiting, paid with its ticket, held, failed."""

    generation: int
    payment: PaymentRecord


@dataclass(frozen=True, slots=True)
class PaymentUnknown:
    """The hub could not be asked about the payment just now: the kiosk asks again (the money is the hub's)."""

    generation: int


# --- the clock ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tick:
    pass


@dataclass(frozen=True, slots=True)
class AskForHelp:
    """The "Cần hỗ trợ / Need help" control (or its keypad key), on any screen."""


@dataclass(frozen=True, slots=True)
class HelpAnswered:
    generation: int
    sent: bool  # False: the hub could not be reached (the patient is sent to the desk)


UserEvent = (
    StartCheckIn
    | StartBenefitLookup
    | ChooseLanguage
    | KeypadDigit
    | KeypadErase
    | KeypadSubmit
    | ChooseVisit
    | ChooseDesk
    | ChooseDepartment
    | ToggleDeclared
    | Confirm
    | TryAgain
    | Back
    | Cancel
    | MoreTime
    | OpenMaintenance
    | PrintTestSlip
    | PayLater
    | AskForHelp
)
DeviceEvent = (
    CardPresented | CardUnreadable | CardNeedsKey | CardRemoved | QrScanned | PrinterChecked | Printed | PrintFailed
)
HubEvent = (
    PatientFound
    | PatientNotFound
    | EntitlementChecked
    | DepartmentsLoaded
    | TicketIssued
    | HubFailed
    | AppointmentFound
    | AppointmentRefused
    | FeeQuoted
    | PaymentChanged
    | PaymentUnknown
    | HelpAnswered
)
Event = UserEvent | DeviceEvent | HubEvent | Tick
USER_EVENTS: tuple[type, ...] = UserEvent.__args__
ANSWERS: tuple[type, ...] = (PrinterChecked, Printed, PrintFailed, *HubEvent.__args__)
