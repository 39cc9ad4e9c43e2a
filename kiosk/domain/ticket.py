"""What a printed queue ticket and a desk slip say, independent of any printer or paper width.

The hub numbers the queue; the kiosk only prints what it was given. A ticket never carries an ID number: the
patient is named by display name and birth year, which is what staff call out and check at the room door.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.domain.text import nfc

# Tickets are printed with a day's numbers; nobody born before this year is still being registered.
_EARLIEST_BIRTH_YEAR = 1900
# The number as the queue system writes it ("0012", "UT-0003"): printed in the printer's own font, so ASCII, short.
_MAX_NUMBER_LABEL = 12


class TicketError(ValueError):
    """A ticket or slip that must not be printed; `reason` is a stable snake_case code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Lane(StrEnum):
    """Which queue of the department the number belongs to: the priority lane (the law's priority groups: the aged,
    young children, pregnancy, disability, merit) is called before or between the normal one."""

    PRIORITY = "priority"
    NORMAL = "normal"


class VisitType(StrEnum):
    """Who pays for the visit: the BHYT fund (with the patient's co-payment) or the patient alone (fee-paying).
    The values are the Kiosk HIS API's `visit_type`."""

    BHYT = "bhyt"
    FEE = "fee"


def display_number(lane: str, number: int) -> str:
    """The number as the queue system writes, shows and calls it: "0012", and "UT-0003" (ưu tiên) in the priority
    lane. The hub numbers tickets this way, and the kiosk its provisional ones, so a room's screen shows one kind."""
    return f"UT-{number:04d}" if lane == Lane.PRIORITY else f"{number:04d}"


def _nfc(text: str) -> str:
    # Printers and screens must see one spelling of "Nguyễn", whatever the scanner or keyboard produced.
    return nfc(text).strip()


def _require_text(value: str, reason: str) -> str:
    text = _nfc(value)
    if not text:
        raise TicketError(reason)
    return text


def _require_local_time(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TicketError("naive_printed_at")


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """The exam fee as the paper shows it. `bank_reference` is set only from the bank's confirmation (relayed by the
    hub): with it the paper says "đã thanh toán"; without it the fee is still due and the QR to pay it is printed
    (the patient pays later from a phone), or the slip names the payment for the desk."""

    amount_vnd: int
    reference: str  # the transfer memo, e.g. "KB250101000123"
    bank_reference: str | None = None
    vietqr: str | None = None
    account_name: str = ""

    def __post_init__(self) -> None:
        if self.amount_vnd <= 0:
            raise TicketError("bad_payment_amount")
        for value in (self.reference, self.bank_reference or "x"):
            if not (0 < len(value) <= 64 and value.isascii() and value.isprintable()):
                raise TicketError("bad_payment_reference")
        if self.paid and self.vietqr is not None:
            raise TicketError("paid_with_qr")  # a paid ticket never asks to be paid again
        object.__setattr__(self, "account_name", _nfc(self.account_name))

    @property
    def paid(self) -> bool:
        return self.bank_reference is not None


@dataclass(frozen=True, slots=True)
class QueueTicket:
    """One patient's place in one department's queue, as printed and shown on screen."""

    hospital_name: str
    department_name: str
    room_name: str
    room_location: str
    queue_number: int
    lane: Lane
    patient_display_name: str
    patient_birth_year: int
    visit_type: VisitType
    printed_at: datetime
    status_url: str
    wait_estimate_minutes: int | None = None
    # Issued by the kiosk while the hub was unreachable: the number must be confirmed at the desk.
    provisional: bool = False
    # The number exactly as the queue system (the hub) shows it on screens and calls it, e.g. "UT-0003" for the
    # priority lane; paper, kiosk screen and the room's display must agree, so it is printed as given.
    number_label: str | None = None
    payment: PaymentLine | None = None  # a fee-paying visit paid (or to be paid) at the kiosk

    def __post_init__(self) -> None:
        for name, reason in (
            ("hospital_name", "missing_hospital_name"),
            ("department_name", "missing_department_name"),
            ("room_name", "missing_room_name"),
            ("patient_display_name", "missing_patient_name"),
            ("status_url", "missing_status_url"),
        ):
            object.__setattr__(self, name, _require_text(getattr(self, name), reason))
        object.__setattr__(self, "room_location", _nfc(self.room_location))
        if not 1 <= self.queue_number <= 9999:
            raise TicketError("queue_number_out_of_range")
        if not _EARLIEST_BIRTH_YEAR <= self.patient_birth_year <= self.printed_at.year:
            raise TicketError("birth_year_out_of_range")
        if self.wait_estimate_minutes is not None and self.wait_estimate_minutes < 0:
            raise TicketError("negative_wait_estimate")
        _require_local_time(self.printed_at)
        if any(ch.isdigit() for ch in self.patient_display_name):
            # A name with digits is almost certainly an ID number pasted into the wrong field.
            raise TicketError("digits_in_patient_name")
        if self.number_label is not None:
            label = self.number_label.strip()
            if not (0 < len(label) <= _MAX_NUMBER_LABEL and label.isascii() and label.isprintable()) or " " in label:
                raise TicketError("bad_number_label")
            object.__setattr__(self, "number_label", label)

    @property
    def display_number(self) -> str:
        """The number as called out and shown on the room's screen: the queue system's label, else at least three
        digits (a number made without the queue system, e.g. a provisional one)."""
        return self.number_label or f"{self.queue_number:03d}"


@dataclass(frozen=True, slots=True)
class DeskSlip:
    """Sent to the reception desk instead of a ticket: why, and a QR of what was already read."""

    hospital_name: str
    reason_code: str
    data_qr_payload: str
    printed_at: datetime
    payment: PaymentLine | None = None  # the payment the desk is to look up (never marked paid on a slip)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hospital_name", _require_text(self.hospital_name, "missing_hospital_name"))
        reason = _require_text(self.reason_code, "missing_reason_code")
        if not reason.replace("_", "").isalnum() or not reason.isascii():
            raise TicketError("bad_reason_code")
        object.__setattr__(self, "reason_code", reason)
        object.__setattr__(self, "data_qr_payload", _nfc(self.data_qr_payload))
        _require_local_time(self.printed_at)
        if self.payment is not None and self.payment.paid:
            raise TicketError("paid_on_slip")
