"""The hub's settings: one validated object built at start-up (CLI flags and KIOSK_HUB_* environment variables)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr

KEY_FILE_NAME = "config-signing.key"
INSTALLED_KEY_FILE = Path("/etc/vn-hospital-kiosk/hub-keys") / KEY_FILE_NAME


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
    # The key file that seals the config-signing key in the database; None: `key_file_path()` picks the default.
    key_file: Path | None = None
    # How long a configuration the hub signs for a kiosk stays valid; kiosks take a fresh signature every seventh.
    config_signature_days: int = Field(default=7, ge=1, le=90)

    def key_file_path(self) -> Path:
        """KIOSK_HUB_KEY_FILE; else, for a SQLite database, `hub-keys/config-signing.key` beside it (a development
        default: installed hubs keep it in /etc, out of the database's backups); else the installed place."""
        if self.key_file is not None:
            return self.key_file
        if self.database_url.startswith("sqlite:///") and self.database_url != "sqlite:///:memory:":
            return Path(self.database_url.removeprefix("sqlite:///")).parent / "hub-keys" / KEY_FILE_NAME
        return INSTALLED_KEY_FILE


def settings_from_env(db: str | None = None) -> HubSettings:
    """The settings from KIOSK_HUB_* environment variables; a `--db` flag wins over KIOSK_HUB_DB."""
    env = os.environ
    base = HubSettings()
    key_file = env.get("KIOSK_HUB_KEY_FILE")
    return HubSettings(
        database_url=db or env.get("KIOSK_HUB_DB", base.database_url),
        key_file=Path(key_file) if key_file else None,
        config_signature_days=int(env.get("KIOSK_HUB_CONFIG_SIGNATURE_DAYS", base.config_signature_days)),
        facility_code=env.get("KIOSK_HUB_FACILITY_CODE", base.facility_code),
        hospital_name=env.get("KIOSK_HUB_HOSPITAL_NAME", base.hospital_name),
        public_base_url=env.get("KIOSK_HUB_PUBLIC_URL", base.public_base_url),
        bhxh=BhxhSettings(
            base_url=env.get("KIOSK_HUB_BHXH_URL", BhxhSettings().base_url),
            username=env.get("KIOSK_HUB_BHXH_USERNAME", ""),
            password=env.get("KIOSK_HUB_BHXH_PASSWORD", ""),  # type: ignore[arg-type]
            officer_name=env.get("KIOSK_HUB_BHXH_OFFICER_NAME", ""),
            officer_id_number=env.get("KIOSK_HUB_BHXH_OFFICER_CCCD", ""),  # type: ignore[arg-type]
        ),
    )
