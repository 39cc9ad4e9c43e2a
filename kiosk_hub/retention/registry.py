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

from kiosk_hub.access.models import PatientLookupEntry, TicketGrant
from kiosk_hub.calling.models import CallLogEntry, TicketCall
from kiosk_hub.db.models import Appointment, EntitlementRecheck, Patient, Ticket
from kiosk_hub.his.models import BhytCheckIn, EntitlementCheck, HisVisit, PendingRegistration, RegisterVisit
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
GRANTS: Table = TicketGrant.__table__  # type: ignore[assignment]
LOOKUPS: Table = PatientLookupEntry.__table__  # type: ignore[assignment]
HIS_VISITS: Table = HisVisit.__table__  # type: ignore[assignment]
CARD_CHECKS: Table = EntitlementCheck.__table__  # type: ignore[assignment]
PENDING: Table = PendingRegistration.__table__  # type: ignore[assignment]
REGISTER_VISITS: Table = RegisterVisit.__table__  # type: ignore[assignment]
CHECKINS: Table = BhytCheckIn.__table__  # type: ignore[assignment]
TICKET_CALLS: Table = TicketCall.__table__  # type: ignore[assignment]
CALL_LOG: Table = CallLogEntry.__table__  # type: ignore[assignment]


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
        HIS_VISITS,
        "tickets' visits to open in the HIS (patient ref, visit code); go with their ticket's day",
        lambda c: HIS_VISITS.c.created_at < c.moment,
    ),
    PurgeableTable(
        CARD_CHECKS,
        "BHYT card checks kept to hand to the HIS with the visit (card code, validity, the lookup officer)",
        lambda c: CARD_CHECKS.c.checked_at < c.moment,
    ),
    PurgeableTable(
        PENDING,
        "registrations made while the HIS was away (personal data until the HIS has the patient, then a reference)",
        lambda c: PENDING.c.created_at < c.moment,
    ),
    PurgeableTable(
        REGISTER_VISITS,
        "visits in the hub's own register (patient, department, card check result)",
        lambda c: REGISTER_VISITS.c.opened_at < c.moment,
    ),
    PurgeableTable(
        CHECKINS,
        "BHYT check-in receipts (the record itself is kept only until the gateway takes it)",
        lambda c: CHECKINS.c.created_at < c.moment,
    ),
    PurgeableTable(
        REPLAYS,
        "offline tickets replayed from a kiosk (which ticket a provisional number became); go with their ticket",
        lambda c: REPLAYS.c.ticket_id.in_(select(TICKETS.c.id).where(TICKETS.c.day < c.day)),
    ),
    PurgeableTable(
        GRANTS,
        "which kiosk a ticket was handed to as a reprint (or a merged replay); go with their ticket",
        lambda c: GRANTS.c.ticket_id.in_(select(TICKETS.c.id).where(TICKETS.c.day < c.day)),
    ),
    PurgeableTable(
        TICKET_CALLS,
        "a ticket's calls, skips and transfers at the rooms; go with their ticket",
        lambda c: TICKET_CALLS.c.ticket_id.in_(select(TICKETS.c.id).where(TICKETS.c.day < c.day)),
    ),
    PurgeableTable(
        CALL_LOG,
        "what happened at the rooms (numbers called, by which staff user or HIS); kept as long as the tickets",
        lambda c: CALL_LOG.c.at < c.moment,
    ),
    PurgeableTable(
        TICKETS,
        "queue tickets: the patient, department, number and times of a visit",
        lambda c: TICKETS.c.day < c.day,
    ),
    PurgeableTable(
        LOOKUPS,
        "patient lookups by kiosks: which kiosk, when, the kind of identifier and its keyed hash",
        lambda c: LOOKUPS.c.at < c.moment,
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
