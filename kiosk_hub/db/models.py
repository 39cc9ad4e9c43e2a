"""Tables of the hub: kiosks, departments and rooms, queue counters and tickets, and the hub's own
patient register.

The queue counter row per (department, day, lane) is what makes numbers unique across hub processes: it is
incremented with one atomic upsert in the same transaction that inserts the ticket, and the unique constraint on
(department, day, lane, number) is the last line of defence. Calling has its own counter row per (department, day).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class LanePolicy(StrEnum):
    STRICT = "strict"  # every waiting priority ticket before any normal one
    INTERLEAVED = "interleaved"  # one priority ticket after every N normal ones


class Origin(StrEnum):
    """Where a department or room came from: typed in the console, a file imported by IT, or the HIS."""

    CONSOLE = "console"
    IMPORT = "import"
    HIS = "his"


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    CANCELLED = "cancelled"
    # At the rooms (kiosk_hub/calling): seen now, seen, did not come (comes back after a few calls), did not come.
    SERVING = "serving"
    SERVED = "served"
    SKIPPED = "skipped"
    MISSED = "missed"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"


class Kiosk(Base):
    __tablename__ = "kiosks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Department(Base):
    __tablename__ = "departments"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    location_vi: Mapped[str] = mapped_column(String(200))
    location_en: Mapped[str] = mapped_column(String(200))
    opening_hours: Mapped[str] = mapped_column(Text)  # JSON list of {days, opens, closes}
    lane_policy: Mapped[str] = mapped_column(String(16), default=LanePolicy.STRICT)
    priority_every: Mapped[int] = mapped_column(Integer, default=3)
    minutes_per_patient: Mapped[int] = mapped_column(Integer, default=6)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)  # the kiosk's display order
    # Hidden from kiosks, never deleted: its tickets, bookings and counters keep pointing at it.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    origin: Mapped[str] = mapped_column(String(16), default=Origin.CONSOLE, server_default=Origin.CONSOLE.value)


class Room(Base):
    __tablename__ = "rooms"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"), index=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    location_vi: Mapped[str] = mapped_column(String(200))
    location_en: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class QueueCounter(Base):
    """The last number issued (or leased) in a department's lane on a day."""

    __tablename__ = "queue_counters"
    __table_args__ = (CheckConstraint("lane IN ('priority', 'normal')", name="ck_queue_counters_lane"),)
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    lane: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class CallCounter(Base):
    """How a department's day of calling stands: the number of the last call, and the interleave rhythm."""

    __tablename__ = "call_counters"
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    # Numbers the calls of the day (a ticket's call_seq); clocks can tie, this cannot.
    last_call: Mapped[int] = mapped_column(Integer)
    # Normal tickets called since the last priority one: an interleaved queue resumes its rhythm from here.
    normals_since_priority: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("department_id", "day", "lane", "number", name="uq_tickets_number"),
        UniqueConstraint("kiosk_id", "idempotency_key", name="uq_tickets_idempotency"),
        # One live ticket per patient, department and day: a second request gets the first ticket (a reprint).
        Index(
            "uq_tickets_one_per_patient_day",
            "patient_ref",
            "department_id",
            "day",
            unique=True,
            sqlite_where=text("patient_ref IS NOT NULL AND status != 'cancelled'"),
            postgresql_where=text("patient_ref IS NOT NULL AND status != 'cancelled'"),
        ),
        Index("ix_tickets_queue", "department_id", "day", "status", "lane", "number"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    public_token: Mapped[str] = mapped_column(String(43), unique=True)
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"))
    day: Mapped[date] = mapped_column(Date)
    lane: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    room_id: Mapped[str | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)
    patient_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    visit_type: Mapped[str] = mapped_column(String(16))
    priority_reasons: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.WAITING)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    called_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The order of calling within the department and day; clocks can tie, this cannot.
    call_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    request_fingerprint: Mapped[str] = mapped_column(String(64))


class Patient(Base):
    """A patient in the hub's own register (`his/register.py`); a hospital HIS keeps its own, reached by its adapter.
    The table keeps the name it was first given."""

    __tablename__ = "demo_patients"
    __table_args__ = (
        Index(
            "uq_demo_patients_id_number",
            "id_number",
            unique=True,
            sqlite_where=text("id_number IS NOT NULL"),
            postgresql_where=text("id_number IS NOT NULL"),
        ),
        Index(
            "uq_demo_patients_bhxh_number",
            "bhxh_number",
            unique=True,
            sqlite_where=text("bhxh_number IS NOT NULL"),
            postgresql_where=text("bhxh_number IS NOT NULL"),
        ),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_code: Mapped[str] = mapped_column(String(32), unique=True)
    id_number: Mapped[str | None] = mapped_column(String(12), nullable=True)
    bhxh_number: Mapped[str | None] = mapped_column(String(10), nullable=True)
    bhyt_code: Mapped[str | None] = mapped_column(String(15), nullable=True, index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[str] = mapped_column(String(10))  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    sex: Mapped[str | None] = mapped_column(String(8), nullable=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Appointment(Base):
    """A booking in the hub's own register, found by the code in its booking QR."""

    __tablename__ = "demo_appointments"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("demo_patients.id"))
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"))
    room_id: Mapped[str | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)
    doctor_name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default=AppointmentStatus.BOOKED)
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class EntitlementRecheck(Base):
    """A card check the gateway could not answer: the patient went ahead, the hub asks again later."""

    __tablename__ = "entitlement_rechecks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    card_code: Mapped[str] = mapped_column(String(15))
    full_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
