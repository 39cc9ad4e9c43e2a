"""Tables the HIS integration owns: visits to open in the HIS (a queue the dispatcher drains), registrations
made while the HIS was away, card checks to hand on with a visit, the hub's own register's visits, the departments
that came from the HIS, and BHYT check-in records sent to the gateway."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_hub.db.models import Base


class VisitGoal(StrEnum):
    """What the hub wants the HIS to hold for a visit; `done` says what the HIS confirmed."""

    OPEN = "open"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class HisVisit(Base):
    """A ticket's visit in the HIS. Written with the ticket, in its transaction; opened (or cancelled, closed) by
    the dispatcher, retried with the same `id` as the idempotency key until the HIS confirms."""

    __tablename__ = "his_visits"
    __table_args__ = (
        Index(
            "ix_his_visits_due",
            "next_attempt_at",
            sqlite_where=text("goal != done"),
            postgresql_where=text("goal != done"),
        ),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # visit_ref: the idempotency key
    ticket_id: Mapped[str] = mapped_column(String(36), unique=True)
    patient_ref: Mapped[str] = mapped_column(String(64), index=True)
    goal: Mapped[str] = mapped_column(String(16), default=VisitGoal.OPEN)
    done: Mapped[str] = mapped_column(String(16), default="")  # "" until the HIS confirmed an opening
    visit_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    his_patient_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    appointment_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)  # gave up: shown to IT, the desk opens it by hand
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class PendingRegistration(Base):
    """A patient registered while the HIS could not answer: the kiosk got a provisional patient id
    (`pending:<id>`) and a ticket; the dispatcher registers them in the HIS, then wipes the personal fields."""

    __tablename__ = "his_pending_registrations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_key: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the identifiers, not them
    registration: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON; NULL once registered in the HIS
    his_patient_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EntitlementCheck(Base):
    """The last card check for a patient ref, handed to the HIS with the visit (and announced as an event)."""

    __tablename__ = "his_entitlement_checks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_ref: Mapped[str] = mapped_column(String(64), index=True)
    record: Mapped[str] = mapped_column(Text)  # contract.EntitlementRecord as JSON; dropped with the visit's day
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RegisterVisit(Base):
    """A visit in the hub's own register (the adapter used while no hospital HIS is connected)."""

    __tablename__ = "register_visits"
    visit_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    visit_code: Mapped[str] = mapped_column(String(32), unique=True)
    patient_id: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[str] = mapped_column(String(32))
    visit_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # open, cancelled, closed
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    entitlement_code: Mapped[str | None] = mapped_column(String(8), nullable=True)


class HisDepartmentLink(Base):
    """A department (or room) that came from the HIS: the sync updates it and notices when the HIS drops it."""

    __tablename__ = "his_department_links"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # department | room
    hub_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    missing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class BhytCheckIn(Base):
    """A BHYT check-in record (XML0) sent to the BHXH gateway: its receipt kept to reconcile later (the gateway's
    portal shows results for 60 days only)."""

    __tablename__ = "bhyt_checkins"
    visit_ref: Mapped[str] = mapped_column(String(36), primary_key=True)
    ma_lk: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16))  # pending, sent, refused, invalid
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    transaction_code: Mapped[str | None] = mapped_column(String(100), nullable=True)  # maGiaoDich
    received_at: Mapped[str | None] = mapped_column(String(14), nullable=True)  # thoiGianTiepNhan
    message: Mapped[str | None] = mapped_column(String(500), nullable=True)
    xml: Mapped[str | None] = mapped_column(Text, nullable=True)  # kept only until the gateway took it
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
