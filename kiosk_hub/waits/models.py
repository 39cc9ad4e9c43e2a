"""Tables the expected waits own: what each department (and room) has been observed to take, and when it last
called a number. Nothing here names a patient or a ticket."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_hub.db.models import Base

EVERY_ROOM = ""  # the row of the whole department, not of one room
EVERY_LANE = ""  # the row of both lanes together
ALL_DAY = 24  # the hour column's row for every hour of the day


class Pace(StrEnum):
    """What a rate row measures."""

    CALL_GAP = "call_gap"  # seconds between two successive calls while tickets were waiting
    SERVICE = "service"  # seconds a patient spent at the counter (start to done), told by the calling pages


class ServiceRate(Base):
    """An exponentially weighted mean of one pace, for a department or one of its rooms, a lane or both, at one
    local hour of the day (0–23) or all day (24). `samples` counts what went into it (capped), so a new row is
    trusted no more than it has earned."""

    __tablename__ = "wait_rates"
    department_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    lane: Mapped[str] = mapped_column(String(16), primary_key=True)
    pace: Mapped[str] = mapped_column(String(16), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    mean_seconds: Mapped[float] = mapped_column(Float)
    samples: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LastCall(Base):
    """When a department (or one of its rooms) last called a number: the start of the next call gap."""

    __tablename__ = "wait_last_calls"
    department_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    called_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
