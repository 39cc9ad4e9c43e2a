"""Small in-memory stand-ins for the hub and the printer, with switchable faults (the OctoPrint virtual-printer idea).

For flow tests and as a last-resort demo; the HIS client is tested against the real hub, and the printer adapter
against bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from kiosk.domain.dates import VN_TZ, PartialDate
from kiosk.domain.entitlement import EntitlementAction, result_for_code
from kiosk.domain.printer_state import PRINTABLE_STATES, PRINTER_FAILED, PrinterState, message_key
from kiosk.domain.ticket import DeskSlip, Lane, QueueTicket
from kiosk.flow.ports import PortError
from kiosk.flow.records import (
    AppointmentRecord,
    Bilingual,
    DepartmentChoice,
    EntitlementAnswer,
    IdentifierKind,
    IssuedTicket,
    PatientRecord,
    PresentedIdentity,
    TicketOrder,
)

DEMO_DEPARTMENTS = (
    DepartmentChoice("NOI", Bilingual("Khoa Nội", "Internal Medicine"), Bilingual("Tầng 1", "Floor 1"), True, 12, 35),
    DepartmentChoice("NHI", Bilingual("Khoa Nhi", "Paediatrics"), Bilingual("Tầng 2", "Floor 2"), True, 4, 10),
    DepartmentChoice("MAT", Bilingual("Khoa Mắt", "Ophthalmology"), Bilingual("Tầng 3", "Floor 3"), False, 0, 0),
)


def answer_for(code: str, **facts: object) -> EntitlementAnswer:
    """An answer as the hub would relay the gateway's `maKetQua`, with card facts as given."""
    result = result_for_code(code)
    return EntitlementAnswer(action=result.action, message_key=result.message_key, bhxh_code=code, **facts)  # type: ignore[arg-type]


@dataclass
class FakeHis:
    patients: dict[tuple[IdentifierKind, str], PatientRecord] = field(default_factory=dict)
    answers: dict[str, list[EntitlementAnswer]] = field(default_factory=dict)  # per card code, consumed in order
    departments_list: tuple[DepartmentChoice, ...] = DEMO_DEPARTMENTS
    failing: set[str] = field(default_factory=set)  # method names that raise PortError("hub.unavailable")
    tickets: dict[str, IssuedTicket] = field(default_factory=dict)  # by idempotency key
    checks: list[tuple[str, str, PartialDate | None]] = field(default_factory=list)
    appointments: dict[str, AppointmentRecord] = field(default_factory=dict)  # by booking code
    help_calls: list[tuple[str, str]] = field(default_factory=list)  # (location, screen) of each call for help
    now: datetime = datetime(2026, 11, 23, 8, 0, tzinfo=VN_TZ)  # the hub's clock for the check-in window

    def _maybe_fail(self, name: str) -> None:
        if name in self.failing:
            raise PortError("hub.unavailable")

    async def find_patient(self, kind: IdentifierKind, value: str) -> PatientRecord | None:
        self._maybe_fail("find_patient")
        return self.patients.get((kind, value))

    async def register_patient(self, identity: PresentedIdentity) -> PatientRecord:
        self._maybe_fail("register_patient")
        record = PatientRecord(
            id=f"P{len(self.patients) + 1:04d}",
            full_name=identity.full_name or "",
            date_of_birth=identity.date_of_birth,
            bhyt_code=identity.bhyt_code,
            bhxh_number=identity.bhxh_number,
        )
        self.patients[(identity.lookup_kind, identity.lookup_value)] = record
        return record

    async def check_entitlement(
        self, card_code: str, full_name: str, date_of_birth: PartialDate | None, patient_id: str | None
    ) -> EntitlementAnswer:
        self._maybe_fail("check_entitlement")
        self.checks.append((card_code, full_name, date_of_birth))
        queue = self.answers.get(card_code)
        if queue:
            return queue.pop(0) if len(queue) > 1 else queue[0]
        return answer_for("050")

    async def departments(self) -> list[DepartmentChoice]:
        self._maybe_fail("departments")
        return list(self.departments_list)

    async def issue_ticket(self, order: TicketOrder) -> IssuedTicket:
        if order.idempotency_key in self.tickets:
            return replace(self.tickets[order.idempotency_key], reprint=True)
        same_day = [t for k, t in self.tickets.items() if k.startswith(order.patient_id + "/" + order.department_id)]
        self._maybe_fail("issue_ticket")
        dept = next(d for d in self.departments_list if d.id == order.department_id)
        ticket = IssuedTicket(
            id=f"T{len(self.tickets) + 1}",
            number=len(self.tickets) + 1,
            display_number=f"{len(self.tickets) + 1:04d}",
            department_name=dept.name,
            room_name=Bilingual("Phòng 101", "Room 101"),
            room_location=dept.location,
            lane=order.lane,
            visit=order.visit,
            issued_at=datetime(2026, 11, 23, 8, 0, tzinfo=VN_TZ),
            status_url=f"https://hub.example/t/T{len(self.tickets) + 1}",
            position=dept.queue_length,
            wait_estimate_minutes=dept.wait_estimate_minutes,
            reprint=bool(same_day),
        )
        if same_day:
            ticket = replace(same_day[0], reprint=True)
        self.tickets[order.idempotency_key] = ticket
        self.tickets.setdefault(f"{order.patient_id}/{order.department_id}", ticket)
        return ticket

    async def call_for_help(self, location: str, screen: str) -> None:
        self._maybe_fail("call_for_help")
        self.help_calls.append((location, screen))

    async def find_appointment(self, code: str) -> AppointmentRecord | None:
        self._maybe_fail("find_appointment")
        return self.appointments.get(code)

    async def check_in_appointment(self, code: str, order: TicketOrder) -> IssuedTicket:
        """As the hub: the window is checked again at check-in, and the ticket comes from the same queue."""
        self._maybe_fail("check_in_appointment")
        booking = self.appointments.get(code)
        if booking is None:
            raise PortError("appointment.not_found")
        refusal = booking.refusal(self.now)
        if refusal is not None:
            raise PortError(refusal)
        return await self.issue_ticket(replace(order, idempotency_key=f"check-in:{code}"))


@dataclass(frozen=True, slots=True)
class FakePrinterStatus:
    state: str

    @property
    def printable(self) -> bool:
        return self.state in PRINTABLE_STATES


@dataclass
class FakePrinter:
    paper_out: bool = False
    cover_open: bool = False
    silent: bool = False  # check() raises, as a printer that does not answer in time
    tickets: list[QueueTicket] = field(default_factory=list)
    slips: list[DeskSlip] = field(default_factory=list)
    checks: int = 0

    async def check(self) -> FakePrinterStatus:
        self.checks += 1
        if self.silent:
            raise PortError(PRINTER_FAILED)
        if self.cover_open:
            return FakePrinterStatus(PrinterState.COVER_OPEN)
        return FakePrinterStatus(PrinterState.PAPER_OUT if self.paper_out else PrinterState.READY)

    async def print_ticket(self, ticket: QueueTicket) -> None:
        if self.paper_out:
            raise PortError(message_key(PrinterState.PAPER_OUT))
        self.tickets.append(ticket)

    async def print_desk_slip(self, slip: DeskSlip) -> None:
        if self.paper_out:
            raise PortError(message_key(PrinterState.PAPER_OUT))
        self.slips.append(slip)


__all__ = ["DEMO_DEPARTMENTS", "EntitlementAction", "FakeHis", "FakePrinter", "Lane", "answer_for"]
