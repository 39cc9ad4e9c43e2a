"""What the flow asks the outside world to do; the service runs each one through a port."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain.dates import PartialDate
from kiosk.domain.payment_state import PaymentState
from kiosk.domain.ticket import DeskSlip, QueueTicket, VisitType
from kiosk.flow.records import IdentifierKind, PresentedIdentity, TicketOrder


@dataclass(frozen=True, slots=True)
class FindPatient:
    generation: int
    kind: IdentifierKind
    value: str


@dataclass(frozen=True, slots=True)
class RegisterPatient:
    generation: int
    identity: PresentedIdentity


@dataclass(frozen=True, slots=True)
class CheckEntitlement:
    generation: int
    card_code: str
    full_name: str
    date_of_birth: PartialDate | None
    patient_id: str | None


@dataclass(frozen=True, slots=True)
class LoadDepartments:
    generation: int


@dataclass(frozen=True, slots=True)
class CheckPrinter:
    """Before the hub issues a number: is the printer ready (paper, cover, answering)?"""

    generation: int


@dataclass(frozen=True, slots=True)
class IssueTicket:
    generation: int
    order: TicketOrder


@dataclass(frozen=True, slots=True)
class PrintTicket:
    generation: int
    ticket: QueueTicket


@dataclass(frozen=True, slots=True)
class PrintDeskSlip:
    generation: int
    slip: DeskSlip


@dataclass(frozen=True, slots=True)
class AlertIt:
    """Hospital IT must look at the kiosk's set-up; carries a reason code, never personal data."""

    reason: str


@dataclass(frozen=True, slots=True)
class FindAppointment:
    generation: int
    code: str


@dataclass(frozen=True, slots=True)
class CheckInAppointment:
    """Check in for the booking: the hub issues the queue ticket (the order's key makes a retry safe)."""

    generation: int
    code: str
    order: TicketOrder


@dataclass(frozen=True, slots=True)
class QuoteFee:
    """Ask the hub what the chosen visit costs, before the patient commits."""

    generation: int
    department_id: str
    visit: VisitType
    priority_reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OpenPayment:
    """The hub stores the payment and gets its VietQR; the order's key makes a retry answer the same payment."""

    generation: int
    order: TicketOrder


@dataclass(frozen=True, slots=True)
class WatchPayment:
    """Wait (long-poll) for the payment to be other than `seen`."""

    generation: int
    payment_id: str
    seen: PaymentState


@dataclass(frozen=True, slots=True)
class PayPaymentLater:
    generation: int
    payment_id: str


@dataclass(frozen=True, slots=True)
class AbandonPayment:
    """The patient cancelled or the kiosk's countdown ran out: tell the hub (money on its way still settles it).
    About the money, not the patient: it outlives the wipe that usually comes with it."""

    payment_id: str


@dataclass(frozen=True, slots=True)
class CallForHelp:
    """Tell the reception staff a patient at this kiosk needs help: where it stands and on which screen."""

    generation: int
    location: str
    screen: str


@dataclass(frozen=True, slots=True)
class SessionWiped:
    """The patient is gone: drop work in flight and anything a device still holds about them."""


Effect = (
    FindPatient
    | RegisterPatient
    | CheckEntitlement
    | LoadDepartments
    | CheckPrinter
    | IssueTicket
    | PrintTicket
    | PrintDeskSlip
    | AlertIt
    | FindAppointment
    | CheckInAppointment
    | QuoteFee
    | OpenPayment
    | WatchPayment
    | PayPaymentLater
    | AbandonPayment
    | CallForHelp
    | SessionWiped
)
