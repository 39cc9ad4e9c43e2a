"""Tables of access: staff assignments, integration credentials, tickets handed to another kiosk, the patient-lookup
access log and allowances, sign-in throttles, and the revocations every hub process watches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_hub.db.models import Base


class StaffAssignment(Base):
    """A staff user's department, and optionally one room of it (no room: the whole department)."""

    __tablename__ = "staff_assignments"
    __table_args__ = (UniqueConstraint("username", "department_id", "room_id", name="uq_staff_assignments_place"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(ForeignKey("fleet_users.username"), index=True)
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"))
    room_id: Mapped[str | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)


class IntegrationCredential(Base):
    """A named bearer token for a system beside the hub (the HIS), with scopes; the hub keeps its SHA-256."""

    __tablename__ = "integration_credentials"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(200))  # space-separated Scope values
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class TicketGrant(Base):
    """A kiosk that may read and cancel a ticket another kiosk issued: it was handed the ticket back as a reprint
    (the same patient today) or merged a replayed offline ticket into it."""

    __tablename__ = "ticket_grants"
    # One id, not (ticket, kiosk) as the key: the retention purge deletes rows by a single key column.
    __table_args__ = (UniqueConstraint("ticket_id", "kiosk_id", name="uq_ticket_grants_ticket_kiosk"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"))
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(16))  # reprint | replay


class PatientLookupEntry(Base):
    """One patient lookup by a kiosk: who asked, when, by which kind of identifier, and a keyed hash of it (never
    the number), so IT can answer "who looked up this patient" without the log being a directory itself."""

    __tablename__ = "patient_lookups"
    __table_args__ = (Index("ix_patient_lookups_at", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(36), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(16))
    identifier_hash: Mapped[str] = mapped_column(String(64), index=True)  # HMAC-SHA256, key outside the database
    found: Mapped[bool] = mapped_column(Boolean)


class LookupAllowance(Base):
    """A kiosk's patient-lookup bucket: it refills at a steady rate up to a small burst (shared by hub processes)."""

    __tablename__ = "lookup_allowances"
    kiosk_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignInThrottle(Base):
    """Failed sign-ins of one account ("user:NAME") or one client address ("addr:IP") in the current window."""

    __tablename__ = "sign_in_throttles"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Revocation(Base):
    """A credential taken away (a kiosk, an integration): every hub process drops its caches when a row appears."""

    __tablename__ = "access_revocations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # kiosk | integration
    subject: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
