"""Tables of number leases: the blocks granted to kiosks, and the provisional registrations replayed into the queue.

A lease block is carved out of the same `queue_counters` row the hub numbers from, so a leased number can never be
issued online too. A replayed registration is remembered by (kiosk, idempotency key): a second replay, or a replay
that was merged into the patient's other ticket, gets the same answer again.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_hub.db.models import Base


class ReplayOutcome(StrEnum):
    PLACED = "placed"  # in the queue at its provisional number
    RENUMBERED = "renumbered"  # the hub had issued it online (the answer was lost): moved to the printed number
    MERGED = "merged"  # the patient already had a ticket today in that department: that ticket stands


class NumberLease(Base):
    __tablename__ = "number_leases"
    __table_args__ = (Index("ix_number_leases_holder", "kiosk_id", "day", "department_id", "lane"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"))
    day: Mapped[date] = mapped_column(Date)
    lane: Mapped[str] = mapped_column(String(16))
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    renew_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set when the kiosk gave it back (renewed, or at night); its unused numbers stay unissued.
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LeaseReplay(Base):
    __tablename__ = "lease_replays"
    __table_args__ = (UniqueConstraint("kiosk_id", "idempotency_key", name="uq_lease_replays_key"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    lease_id: Mapped[str] = mapped_column(ForeignKey("number_leases.id"))
    provisional_number: Mapped[int] = mapped_column(Integer)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    replayed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
