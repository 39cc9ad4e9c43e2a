"""The ports the flow service talks through: the hub (Kiosk HIS API) and the printer.

Identity sources (chip reader, camera) push events into the service instead (`FlowService.dispatch`), from their
own worker threads via the loop. Adapters raise whatever they raise; the service turns any failure into a flow
event with a message key, so a port needs no shared error type.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from kiosk.domain.dates import PartialDate
from kiosk.domain.payment_state import PaymentState
from kiosk.domain.ticket import DeskSlip, QueueTicket, VisitType
from kiosk.flow.records import (
    AppointmentRecord,
    DepartmentChoice,
    EntitlementAnswer,
    FeeQuote,
    IdentifierKind,
    IssuedTicket,
    PatientRecord,
    PaymentRecord,
    PresentedIdentity,
    TicketOrder,
)


class HisPort(Protocol):
    async def find_patient(self, kind: IdentifierKind, value: str) -> PatientRecord | None: ...

    async def register_patient(self, identity: PresentedIdentity) -> PatientRecord: ...

    async def check_entitlement(
        self, card_code: str, full_name: str, date_of_birth: PartialDate | None, patient_id: str | None
    ) -> EntitlementAnswer: ...

    async def departments(self) -> list[DepartmentChoice]: ...

    async def issue_ticket(self, order: TicketOrder) -> IssuedTicket: ...


@runtime_checkable
class AppointmentPort(Protocol):
    """Bookings by the code in their QR (the hub's /appointments). Separate from `HisPort` so the HIS wrappers
    (offline leases, remote configuration) need not change; `FlowService` finds it on the HIS client itself."""

    async def find_appointment(self, code: str) -> AppointmentRecord | None: ...

    async def check_in_appointment(self, code: str, order: TicketOrder) -> IssuedTicket:
        """The booking's queue ticket; a refusal raises `PortError` with an `appointment.*` message key."""
        ...


@runtime_checkable
class HelpPort(Protocol):
    """The reception's help calls (the hub's /help-calls); found on the HIS client like `AppointmentPort`."""

    async def call_for_help(self, location: str, screen: str) -> None:
        """Raises when the hub could not be told (the patient is then sent to the desk)."""
        ...


def help_of(his: object) -> HelpPort:
    """The help calls of a HIS port that serves them; without them the patient is sent to the desk."""
    if isinstance(his, HelpPort):
        return his
    raise PortError("call_staff.hub_away")


def bookings_of(his: object) -> AppointmentPort:
    """The booking calls of a HIS port that serves them; a kiosk whose HIS cannot says so to the patient."""
    if isinstance(his, AppointmentPort):
        return his
    raise PortError("appointment.unavailable")


class PaymentPort(Protocol):
    """The exam fee at the kiosk (the hub's /payments). The kiosk only asks and shows: whether money arrived is the
    hub's word, from the bank."""

    async def quote(self, department_id: str, visit: VisitType, priority_reasons: tuple[str, ...]) -> FeeQuote: ...

    async def open_payment(self, order: TicketOrder) -> PaymentRecord: ...

    async def watch_payment(self, payment_id: str, seen: PaymentState) -> PaymentRecord:
        """The payment once it is other than `seen`, or as it is after the hub's wait (a long poll)."""
        ...

    async def pay_later(self, payment_id: str) -> PaymentRecord: ...

    async def abandon_payment(self, payment_id: str) -> None: ...


class PrinterStatus(Protocol):
    """What the printer answers before a job: can it print now, and the name of its state (e.g. "paper_out")."""

    @property
    def printable(self) -> bool: ...

    @property
    def state(self) -> str: ...


class PrinterPort(Protocol):
    async def check(self) -> PrinterStatus:
        """Asked before a ticket is ordered, so a patient is never registered into a printer that cannot print."""
        ...

    async def print_ticket(self, ticket: QueueTicket) -> None: ...

    async def print_desk_slip(self, slip: DeskSlip) -> None: ...


class PortError(Exception):
    """A port failure with a patient-facing message key (Vietnamese and English in the catalogue)."""

    def __init__(self, message_key: str) -> None:
        super().__init__(message_key)
        self.message_key = message_key
