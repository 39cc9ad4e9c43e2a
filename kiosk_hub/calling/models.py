"""Tables of calling: each room's state, each ticket's calling state, the log of what happened at the rooms (what
screens and phones follow), the waiting-room areas and the screens enrolled to show them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_hub.db.models import Base


class RoomState(StrEnum):
    OPEN = "open"
    PAUSED = "paused"  # a break: keeps its waiting tickets, calls nothing
    CLOSED = "closed"  # done for the day, or not staffed: nothing is transferred to it


class CallKind(StrEnum):
    """What a row of the call log says happened; screens show `called` and `recalled`, phones follow all."""

    CALLED = "called"
    RECALLED = "recalled"
    SKIPPED = "skipped"  # did not come: back in the queue after a few more calls
    MISSED = "missed"  # did not come, and may not come back by itself
    STARTED = "started"
    DONE = "done"
    TRANSFERRED = "transferred"
    ROOM = "room"  # a room opened, paused or closed


class CallingRoom(Base):
    """A room's state when it is not simply open (no row: open)."""

    __tablename__ = "calling_rooms"
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str] = mapped_column(String(80))


class TicketCall(Base):
    """A ticket's life at the rooms once first called: where, how often, skips, and when it comes back."""

    __tablename__ = "ticket_calls"
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    room_id: Mapped[str | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    skips: Mapped[int] = mapped_column(Integer, default=0)
    # A skipped ticket is called again once the department's day has counted this many calls.
    returns_at_call: Mapped[int | None] = mapped_column(Integer, nullable=True)
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CallLogEntry(Base):
    """One thing that happened at a room, in order (`id`): what screens and phone pages on every hub process read.
    No personal data: the ticket's number and references only."""

    __tablename__ = "call_log"
    __table_args__ = (Index("ix_call_log_department_at", "department_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[str] = mapped_column(String(32))
    room_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    ticket_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    display_number: Mapped[str | None] = mapped_column(String(16), nullable=True)
    detail: Mapped[str] = mapped_column(String(64), default="")  # a room state, or where a ticket was transferred
    actor: Mapped[str] = mapped_column(String(80))  # "staff:<username>" or "his:<credential name>"


class CallingArea(Base):
    """A waiting room: the departments and rooms its screens show, and how they speak."""

    __tablename__ = "calling_areas"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    recent_calls: Mapped[int] = mapped_column(Integer, default=6)
    speak_english: Mapped[bool] = mapped_column(Boolean, default=False)
    volume: Mapped[int] = mapped_column(Integer, default=80)  # percent
    quiet_from: Mapped[str | None] = mapped_column(String(5), nullable=True)  # "HH:MM" local; no voice until…
    quiet_until: Mapped[str | None] = mapped_column(String(5), nullable=True)


class CallingAreaPlace(Base):
    """A department (all its rooms) or one room shown in an area."""

    __tablename__ = "calling_area_places"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    area_id: Mapped[str] = mapped_column(ForeignKey("calling_areas.id"), index=True)
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"))
    room_id: Mapped[str | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)


class DisplayScreen(Base):
    """A waiting-room screen: made in the console with a one-time code, which the screen trades for its token."""

    __tablename__ = "display_screens"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    area_id: Mapped[str] = mapped_column(ForeignKey("calling_areas.id"))
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    code_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    enrolled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
