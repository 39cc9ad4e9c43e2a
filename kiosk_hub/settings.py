"""The hub's settings: one validated object built at start-up (CLI flags and KIOSK_HUB_* environment variables)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr


class BhxhSettings(BaseModel):
    """How the hub reaches the BHXH insurance gateway, and on whose behalf card checks are made."""

    base_url: str = "https://egw.baohiemxahoi.gov.vn"
    username: str = ""
    password: SecretStr = SecretStr("")
    # The lookup officer: the gateway answers 054/055 when they are not registered for this facility.
    officer_name: str = ""
    officer_id_number: SecretStr = SecretStr("")
    timeout_seconds: float = 8.0
    # Some gateway guides ask for the MD5 in upper-case hex; the gateway has been seen to accept both.
    md5_uppercase: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.username)


class HubSettings(BaseModel):
    """Everything the hub needs to serve the Kiosk HIS API."""

    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'kiosk-hub.sqlite3'}")
    hospital_name: str = "Bệnh viện Đa khoa Demo"
    facility_code: str = "01043"  # the hospital's own KCB code, to tell "registered here" on a BHYT card
    public_base_url: str = "http://127.0.0.1:8080"  # what the ticket QR points at
    check_in_opens_before: timedelta = timedelta(minutes=60)
    check_in_closes_after: timedelta = timedelta(minutes=15)
    max_body_bytes: int = 64 * 1024
    bhxh: BhxhSettings = Field(default_factory=BhxhSettings)
    recheck_interval_seconds: float = 300.0
