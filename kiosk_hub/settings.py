"""The hub's settings: one validated object built at start-up (CLI flags and KIOSK_HUB_* environment variables)."""

from __future__ import annotations

import os
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
    # HTTPS served by the hub itself (`kiosk-hub serve --tls-cert/--tls-key`); None when a proxy in front does it.
    tls_cert: Path | None = None  # PEM: the certificate, then any intermediates
    tls_key: Path | None = None  # PEM private key, readable by the hub's user only

    @property
    def serves_tls(self) -> bool:
        return self.tls_cert is not None


def settings_from_env(db: str | None = None) -> HubSettings:
    """The settings from KIOSK_HUB_* environment variables; a `--db` flag wins over KIOSK_HUB_DB."""
    env = os.environ
    base = HubSettings()
    return HubSettings(
        database_url=db or env.get("KIOSK_HUB_DB", base.database_url),
        facility_code=env.get("KIOSK_HUB_FACILITY_CODE", base.facility_code),
        hospital_name=env.get("KIOSK_HUB_HOSPITAL_NAME", base.hospital_name),
        public_base_url=env.get("KIOSK_HUB_PUBLIC_URL", base.public_base_url),
        tls_cert=env.get("KIOSK_HUB_TLS_CERT") or None,  # type: ignore[arg-type]
        tls_key=env.get("KIOSK_HUB_TLS_KEY") or None,  # type: ignore[arg-type]
        bhxh=BhxhSettings(
            base_url=env.get("KIOSK_HUB_BHXH_URL", BhxhSettings().base_url),
            username=env.get("KIOSK_HUB_BHXH_USERNAME", ""),
            password=env.get("KIOSK_HUB_BHXH_PASSWORD", ""),  # type: ignore[arg-type]
            officer_name=env.get("KIOSK_HUB_BHXH_OFFICER_NAME", ""),
            officer_id_number=env.get("KIOSK_HUB_BHXH_OFFICER_CCCD", ""),  # type: ignore[arg-type]
        ),
    )
