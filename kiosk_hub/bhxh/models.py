"""The BHXH side's own table: the lookup officer IT set in the console (one row; its name and CCCD sealed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_hub.db.models import Base


class LookupOfficerRow(Base):
    """Overrides KIOSK_HUB_BHXH_OFFICER_NAME / _CCCD while it exists; name and CCCD sealed with the key file."""

    __tablename__ = "bhxh_lookup_officer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    sealed: Mapped[str] = mapped_column(Text)  # JSON {"name", "id_number"} sealed (`key_file.seal`)
    id_last4: Mapped[str] = mapped_column(String(4))  # what the console shows
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
