"""The table of calls for help: which kiosk, where it stands, on which screen, and who acknowledged it. Nothing
about the patient: the staff walk over and ask."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_hub.db.models import Base


class HelpCall(Base):
    __tablename__ = "help_calls"
    __table_args__ = (Index("ix_help_calls_open", "acknowledged_at", "asked_at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), index=True)
    location: Mapped[str] = mapped_column(String(120), default="")  # where the kiosk says it stands
    screen: Mapped[str] = mapped_column(String(32), default="")  # the kiosk's step when the patient asked
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
