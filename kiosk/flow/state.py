"""The kiosk session: which step the patient is on and what the kiosk has learned so far (only in memory)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from kiosk.domain.entitlement import EntitlementAction
from kiosk.domain.language import DEFAULT_LANGUAGE, Language
from kiosk.domain.priority import PriorityReason, needs_staff_confirmation
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


class Mode(StrEnum):
    CHECK_IN = "check_in"
    BENEFIT_LOOKUP = "benefit_lookup"


class Step(StrEnum):
    HOME = "home"
    IDENTIFY = "identify"  # keypad, "place your card", "show your QR"
    FINDING_PATIENT = "finding_patient"
    CHECKING_ENTITLEMENT = "checking_entitlement"
    ENTITLEMENT_PROBLEM = "entitlement_problem"  # card cannot be used today: fee-paying or the desk
    VISIT_TYPE = "visit_type"
    DEPARTMENT = "department"
    PRICING = "pricing"  # a fee-paying visit: the hub is asked its price, so the confirm screen shows it
    CONFIRM = "confirm"
    ISSUING = "issuing"
    OPENING_PAYMENT = "opening_payment"  # the hub asks the bank for the payment's QR
    PAYING = "paying"  # the VietQR on screen, the amount, the countdown: waiting for the bank
    PRINTING = "printing"
    DONE = "done"
    SCREEN_TICKET = "screen_ticket"  # the printer failed: the ticket and its QR are on screen
    PRINTER_NOT_READY = "printer_not_ready"  # found before the number is taken: on screen, the desk, or cancel
    DESK_SLIP_PRINTING = "desk_slip_printing"
    DESK = "desk"  # go to the reception desk (slip printed, or shown on screen)
    BENEFIT = "benefit"  # benefit lookup result
    HUB_FAILED = "hub_failed"  # the hub did not answer: try again or go to the desk
    MAINTENANCE_PIN = "maintenance_pin"  # staff only: hidden entry, PIN on the keypad
    MAINTENANCE = "maintenance"  # device status, test print, kiosk name


# Named groups, so screens and timers react to kinds of step rather than to each one (OctoPrint's habit).
BUSY_STEPS = frozenset(
    {
        Step.FINDING_PATIENT,
        Step.CHECKING_ENTITLEMENT,
        Step.PRICING,
        Step.ISSUING,
        Step.OPENING_PAYMENT,
        Step.PRINTING,
        Step.DESK_SLIP_PRINTING,
    }
)
# A payment is open: leaving (cancel, a wipe) tells the hub; no idle warning (the patient is at their phone).
PAYMENT_STEPS = frozenset({Step.OPENING_PAYMENT, Step.PAYING})
PAPER_IN_HAND_STEPS = frozenset({Step.DONE, Step.DESK})
IDENTITY_STEPS = frozenset({Step.HOME, Step.IDENTIFY})


class HelpCall(StrEnum):
    """Where the patient's call for help stands, as the banner on every screen says it."""

    CALLING = "calling"
    SENT = "sent"  # the reception staff's page shows it
    HUB_AWAY = "hub_away"  # not sent: the patient is asked to walk to the desk


class Operation(StrEnum):
    """A hub call that can fail and be tried again from the HUB_FAILED step."""

    FIND_PATIENT = "find_patient"
    REGISTER_PATIENT = "register_patient"
    CHECK_ENTITLEMENT = "check_entitlement"
    LOAD_DEPARTMENTS = "load_departments"
    ISSUE_TICKET = "issue_ticket"
    OPEN_PAYMENT = "open_payment"


@dataclass(frozen=True, slots=True)
class Session:
    """Everything about the patient in front of the kiosk; replaced wholesale on every wipe."""

    generation: int = 0
    step: Step = Step.HOME
    mode: Mode = Mode.CHECK_IN
    language: Language = DEFAULT_LANGUAGE
    last_activity: float = 0.0
    idle_warning_since: float | None = None
    step_entered_at: float = 0.0
    typed: str = ""
    notice_key: str | None = None
    identity: PresentedIdentity | None = None
    patient: PatientRecord | None = None
    entitlement: EntitlementAnswer | None = None
    codes_tried: tuple[str, ...] = ()
    retried_with_correction: bool = False
    visit: VisitType | None = None
    departments: tuple[DepartmentChoice, ...] = ()
    department_id: str | None = None
    declared: frozenset[PriorityReason] = field(default_factory=frozenset)
    priority: frozenset[PriorityReason] = field(default_factory=frozenset)
    ticket_key: str | None = None
    ticket: IssuedTicket | None = None
    desk_reason: str | None = None
    desk_qr: str | None = None
    printed: bool = False
    ticket_on_screen: bool = False  # the patient chose the on-screen ticket: the printer is not asked again
    failed_operation: Operation | None = None
    pin_failures: int = 0
    appointment: AppointmentRecord | None = None  # checking in for a booking (its QR was scanned)
    fee: FeeQuote | None = None  # the fee-paying visit's price, once the hub answered (None: still asking)
    payment: PaymentRecord | None = None  # the exam fee's payment, once opened
    payment_deadline: float | None = None  # monotonic: the kiosk stops waiting for the bank then
    help: HelpCall | None = None  # the patient asked for help: calling, staff told, or the hub away

    def wiped(self, now: float) -> Session:
        """A fresh session for the next patient; the generation makes late answers for this one fall away."""
        return Session(generation=self.generation + 1, last_activity=now, step_entered_at=now)

    def at(self, step: Step, now: float) -> Session:
        """The session moved to `step` (its notice cleared); `dataclasses.replace` it for anything else."""
        return replace(self, step=step, step_entered_at=now, notice_key=None)

    @property
    def department(self) -> DepartmentChoice | None:
        return next((d for d in self.departments if d.id == self.department_id), None)

    @property
    def takes_payment(self) -> bool:
        """The fee is taken here by VietQR before the ticket (the hub priced the visit and takes payments)."""
        return self.visit == VisitType.FEE and self.fee is not None and self.fee.payment_required

    @property
    def bhyt_allowed(self) -> bool:
        return self.entitlement is not None and _usable_for_bhyt(self.entitlement)

    @property
    def needs_staff_confirmation(self) -> bool:
        """Priority the patient declared (pregnancy, disability): staff confirm it at the room (domain rule)."""
        return needs_staff_confirmation(self.priority)


def _usable_for_bhyt(answer: EntitlementAnswer) -> bool:
    if answer.action == EntitlementAction.REGISTER_AND_RECHECK:
        return True
    usable = answer.action in (EntitlementAction.PROCEED, EntitlementAction.USE_NEW_CARD)
    return usable and answer.valid_today is not False
