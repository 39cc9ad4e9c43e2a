"""The hub's settings: one validated object built at start-up (CLI flags and KIOSK_HUB_* environment variables)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Literal

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


class AccessSettings(BaseModel):
    """Who may reach what: patient-lookup allowance, the access log's key, sign-in hashing, proxies, API docs."""

    lookup_burst: int = Field(default=5, ge=1)
    lookup_refill_seconds: float = Field(default=12.0, gt=0)
    # HMAC key of the patient-lookup log; default beside a SQLite file, else ./kiosk-hub-access-log.key.
    access_log_key_file: Path | None = None
    password_hash_workers: int = Field(default=1, ge=1, le=4)
    # Addresses whose X-Forwarded-For / X-Forwarded-Proto are believed (the TLS reverse proxy): they give the client
    # address sign-in throttling counts and the scheme that turns on HSTS and Secure cookies.
    trusted_proxies: str = "127.0.0.1"
    # /docs and /redoc (Swagger UI, ReDoc): for signed-in admins, or not served at all.
    api_docs: Literal["admin", "off"] = "admin"


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
    access: AccessSettings = Field(default_factory=AccessSettings)


def settings_from_env(db: str | None = None) -> HubSettings:
    """The settings from KIOSK_HUB_* environment variables; a `--db` flag wins over KIOSK_HUB_DB."""
    env = os.environ
    base = HubSettings()
    return HubSettings(
        database_url=db or env.get("KIOSK_HUB_DB", base.database_url),
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
        access=_access_from_env(env),
    )


def _access_from_env(env: os._Environ[str]) -> AccessSettings:
    base = AccessSettings()
    key_file = env.get("KIOSK_HUB_ACCESS_LOG_KEY_FILE")
    return AccessSettings(
        lookup_burst=int(env.get("KIOSK_HUB_LOOKUP_BURST", base.lookup_burst)),
        lookup_refill_seconds=float(env.get("KIOSK_HUB_LOOKUP_REFILL_SECONDS", base.lookup_refill_seconds)),
        access_log_key_file=Path(key_file) if key_file else None,
        password_hash_workers=int(env.get("KIOSK_HUB_PASSWORD_HASH_WORKERS", base.password_hash_workers)),
        trusted_proxies=env.get("KIOSK_HUB_TRUSTED_PROXIES", base.trusted_proxies),
        api_docs=env.get("KIOSK_HUB_API_DOCS", base.api_docs),  # type: ignore[arg-type]
    )
