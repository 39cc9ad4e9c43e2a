"""The hub's tables that hold personal data, and when a row of each has served its purpose.

A concern that adds such a table adds its entry to `PURGEABLE` (in the order rows may be deleted: a row before the
rows it references). Queue counters are not here on purpose: they hold no personal data, and the next number of
any day comes from them, so deleting one could hand a number out twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Table, and_, exists, select

from kiosk_hub.db.models import Appointment, EntitlementRecheck, Patient, Ticket
from kiosk_hub.leases.models import LeaseReplay


@dataclass(frozen=True)
class Cutoff:
    """Rows from before this moment (or this local day, for day-keyed rows) are past retention."""

    moment: datetime
    day: date


@dataclass(frozen=True)
class PurgeableTable:
    table: Table
    what: str  # for IT: what a row holds and why it may go
    expired: Callable[[Cutoff], ColumnElement[bool]]

    @property
    def name(self) -> str:
        return self.table.name


TICKETS: Table = Ticket.__table__  # type: ignore[assignment]
REPLAYS: Table = LeaseReplay.__table__  # type: ignore[assignment]
RECHECKS: Table = EntitlementRecheck.__table__  # type: ignore[assignment]
APPOINTMENTS: Table = Appointment.__table__  # type: ignore[assignment]
PATIENTS: Table = Patient.__table__  # type: ignore[assignment]


def _patient_gone_quiet(cutoff: Cutoff) -> ColumnElement[bool]:
    # Registered before the cutoff and not seen since: no ticket on or after the cutoff day, no booking from the
    # cutoff on (older bookings are purged before their patient).
    recent_ticket = exists(
        select(TICKETS.c.id).where(TICKETS.c.patient_ref == PATIENTS.c.id, TICKETS.c.day >= cutoff.day)
    )
    booking = exists(
        select(APPOINTMENTS.c.code).where(
            APPOINTMENTS.c.patient_id == PATIENTS.c.id, APPOINTMENTS.c.starts_at >= cutoff.moment
        )
    )
    return and_(PATIENTS.c.created_at < cutoff.moment, ~recent_ticket, ~booking)


PURGEABLE: tuple[PurgeableTable, ...] = (
    PurgeableTable(
        REPLAYS,
        "offline tickets replayed from a kiosk (which ticket a provisional number became); go with their ticket",
        lambda c: REPLAYS.c.ticket_id.in_(select(TICKETS.c.id).where(TICKETS.c.day < c.day)),
    ),
    PurgeableTable(
        TICKETS,
        "queue tickets: the patient, department, number and times of a visit",
        lambda c: TICKETS.c.day < c.day,
    ),
    PurgeableTable(
        RECHECKS,
        "BHYT card checks the gateway could not answer at the kiosk: card code, name, date of birth",
        lambda c: RECHECKS.c.created_at < c.moment,
    ),
    PurgeableTable(
        APPOINTMENTS,
        "bookings in the hub's own register, past their day",
        lambda c: APPOINTMENTS.c.starts_at < c.moment,
    ),
    PurgeableTable(
        PATIENTS,
        "patients in the hub's own register (CCCD, BHXH number, card, name, birth date, address, phone)",
        _patient_gone_quiet,
    ),
)
