"""The hub's settings: one validated object built at start-up (CLI flags and KIOSK_HUB_* environment variables)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from kiosk.domain.priority import PriorityReason

KEY_FILE_NAME = "config-signing.key"
INSTALLED_KEY_FILE = Path("/etc/vn-hospital-kiosk/hub-keys") / KEY_FILE_NAME
INSTALLED_RELEASE_DIR = Path("/var/lib/vn-hospital-kiosk-hub/releases")  # kiosk software releases


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
    """Who may reach what: patient-lookup allowance, the access log's key, sign-in hashing, API docs. (Which proxy's
    X-Forwarded-For/-Proto is believed — the client address sign-in throttling counts, the scheme that turns on HSTS
    and Secure cookies — is `ServerLimits.proxy_addresses`.)"""

    lookup_burst: int = Field(default=5, ge=1)
    lookup_refill_seconds: float = Field(default=12.0, gt=0)
    # HMAC key of the patient-lookup log; None: `access-log.key` beside the config-signing key file (`key_file_path`).
    access_log_key_file: Path | None = None
    password_hash_workers: int = Field(default=1, ge=1, le=4)
    # /docs and /redoc (Swagger UI, ReDoc): for signed-in admins, or not served at all.
    api_docs: Literal["admin", "off"] = "admin"


class HisSettings(BaseModel):
    """Which HIS adapter the hub runs (an entry point of `kiosk_hub.his_adapters`) and how it reaches the HIS."""

    adapter: str = "register"  # the hub's own register; `demo` adds the demo hospital; `rest`, `fhir`, a vendor's
    base_url: str = ""
    token: SecretStr = SecretStr("")
    timeout_seconds: float = 3.0  # one call; the check-in never waits on the HIS for a visit (it is queued)
    options: dict[str, str] = Field(default_factory=dict)  # adapter-specific, from KIOSK_HUB_HIS_OPTIONS (JSON)
    poll_seconds: float = 0.5  # how often the visit dispatcher looks for visits to open (and retries are due)
    sync_minutes: float = 60.0  # departments and rooms from the HIS; 0 = only on demand (`kiosk-hub his sync`)
    # Send the BHYT check-in record (XML0) to the BHXH gateway. Off: the hospital's HIS sends it after the first
    # cost of the visit, and two senders would make BHXH receive it twice.
    send_bhyt_checkin: bool = False
    province_code: str = ""  # maTinh for the check-in submission; the first 2 digits of the facility code if empty


class EventSettings(BaseModel):
    """The event feed: how often it publishes and delivers, how long events are kept for pull consumers."""

    poll_seconds: float = 0.5
    retention_days: float = 7.0
    delivery_timeout_seconds: float = 10.0
    concurrency: int = 16  # webhook requests in flight at once (different patients; one patient's are in order)
    give_up_after_hours: float = 72.0  # then a delivery is dead-lettered: an admin replays it in the console


class PaymentSettings(BaseModel):
    """Paying the exam fee at the kiosk (docs/payment.md): which gateway confirms transfers, the hospital's account
    the QR must pay into, how long a kiosk waits, and when IT is alerted about a silent bank feed."""

    provider: str = ""  # "" = off (fee-paying patients pay at the cashier, as before); "payos"
    base_url: str = "https://api-merchant.payos.vn"
    client_id: str = ""
    api_key: SecretStr = SecretStr("")
    checksum_key: SecretStr = SecretStr("")  # the HMAC key of callbacks, answers and payment requests
    # The hospital's account linked to the gateway: every QR the gateway hands out is checked against it.
    bank_bin: str = Field(default="", pattern=r"^(\d{6})?$")
    account_number: str = ""
    account_name: str = ""
    reference_prefix: str = Field(default="KB", pattern=r"^[A-Z]{1,4}$")  # the memo: KB + 12 digits
    kiosk_minutes: float = 10.0  # the countdown on the kiosk; the gateway takes the money until the day ends
    poll_seconds: float = 5.0  # payments in their countdown are asked about this often (when no callback came)
    late_poll_seconds: float = 60.0  # payments past it, until the day ends
    timeout_seconds: float = 10.0
    pay_later: bool = False  # the patient may take the ticket now, with the QR printed on it, and pay from a phone
    exempt_reasons: tuple[PriorityReason, ...] = ()  # priority reasons that pay nothing at the kiosk (policy)
    silent_minutes: float = 20.0  # the window the silent-feed alerts look back over
    silent_after_payments: int = 3  # payments opened in the window with no transfer at all: the feed is silent
    callback_max_age_hours: float = 72.0  # a callback about a transfer older than this is refused

    @property
    def enabled(self) -> bool:
        return bool(self.provider)


class CallingSettings(BaseModel):
    """The rooms' calling rules and the waiting-room screens (docs/calling.md)."""

    # A patient who does not come when called is called again after this many later calls of the department;
    # 0: at once missed.
    skip_returns_after_calls: int = Field(default=3, ge=0, le=100)
    skip_returns: int = Field(default=1, ge=0, le=10)  # times a no-show comes back before being missed
    # A transfer to another department keeps the ticket's number (when that department has not given it out today)
    # or takes the next number there. Between rooms of one department a ticket always keeps its number.
    transfer_keeps_number: bool = False
    # How often each hub process looks for calls made by the others (its own calls reach its screens at once).
    poll_seconds: float = Field(default=0.25, gt=0, le=10)
    # Announcement WAVs, one per text; None: `voice-cache` beside a SQLite database, else the system's temp dir.
    voice_cache_dir: Path | None = None
    espeak: str = "espeak-ng"


class ServerLimits(BaseModel):
    """What one client may hold of a hub process (docs/security.md, "Server limits and store failures")."""

    head_timeout_seconds: float = 10.0  # from the connection (or the last answer) to the end of the request's head
    body_timeout_seconds: float = 30.0  # from the end of the head to the end of the body
    keep_alive_seconds: int = 5  # an idle keep-alive connection is closed after this
    max_head_bytes: int = 32 * 1024
    connections_per_address: int = 64
    # The most sockets one process holds; lowered at start to what its open-file limit leaves room for.
    max_connections: int = 8192
    requests_per_connection: int = 1000
    # A reverse proxy on this host: trusted for X-Forwarded-For and exempt from the per-address cap.
    proxy_addresses: tuple[str, ...] = ("127.0.0.1", "::1")


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
    his: HisSettings = Field(default_factory=HisSettings)
    events: EventSettings = Field(default_factory=EventSettings)
    payments: PaymentSettings = Field(default_factory=PaymentSettings)
    server: ServerLimits = Field(default_factory=ServerLimits)
    calling: CallingSettings = Field(default_factory=CallingSettings)
    # Below this much free space beside the SQLite file `/healthz` says disk_full: a day of a large hospital's tickets
    # is a few megabytes, and SQLite needs room for its WAL and checkpoints on top.
    min_free_disk_mb: int = 64
    # Personal data (tickets, the hub's own patient register, BHYT re-checks) is deleted after this many days; why 180
    # is in docs/security.md ("Retention and backup").
    retention_days: int = Field(default=180, ge=1)
    purge_interval_seconds: float = 6 * 3600
    # A kiosk's call for help nobody acknowledged for this long shows among the console's IT alerts.
    help_escalate_after_seconds: float = Field(default=120.0, ge=10)

    # The key file that seals the config-signing key in the database; None: `key_file_path()` picks the default.
    key_file: Path | None = None
    # How long a configuration the hub signs for a kiosk stays valid; kiosks take a fresh signature every seventh.
    config_signature_days: int = Field(default=7, ge=1, le=90)

    # Where the files of kiosk software releases are kept (`kiosk-hub release add`); None: `release_dir_path()`.
    release_dir: Path | None = None

    def release_dir_path(self) -> Path:
        """KIOSK_HUB_RELEASE_DIR; else, for a SQLite database, `releases/` beside it; else the installed place."""
        if self.release_dir is not None:
            return self.release_dir
        if self.database_url.startswith("sqlite:///") and self.database_url != "sqlite:///:memory:":
            return Path(self.database_url.removeprefix("sqlite:///")).parent / "releases"
        return INSTALLED_RELEASE_DIR

    def key_file_path(self) -> Path:
        """KIOSK_HUB_KEY_FILE; else, for a SQLite database, `hub-keys/config-signing.key` beside it (a development
        default: installed hubs keep it in /etc, out of the database's backups); else the installed place."""
        if self.key_file is not None:
            return self.key_file
        if self.database_url.startswith("sqlite:///") and self.database_url != "sqlite:///:memory:":
            return Path(self.database_url.removeprefix("sqlite:///")).parent / "hub-keys" / KEY_FILE_NAME
        return INSTALLED_KEY_FILE

    # HTTPS served by the hub itself (`kiosk-hub serve --tls-cert/--tls-key`); None when a proxy in front does it.
    tls_cert: Path | None = None  # PEM: the certificate, then any intermediates
    tls_key: Path | None = None  # PEM private key, readable by the hub's user only

    @property
    def serves_tls(self) -> bool:
        return self.tls_cert is not None


def _server_limits(env: Mapping[str, str]) -> ServerLimits:
    names = {
        "head_timeout_seconds": "KIOSK_HUB_HEAD_TIMEOUT",
        "body_timeout_seconds": "KIOSK_HUB_BODY_TIMEOUT",
        "keep_alive_seconds": "KIOSK_HUB_KEEP_ALIVE",
        "connections_per_address": "KIOSK_HUB_CONNECTIONS_PER_ADDRESS",
        "max_connections": "KIOSK_HUB_MAX_CONNECTIONS",
    }
    given: dict[str, object] = {field: env[name] for field, name in names.items() if name in env}
    if "KIOSK_HUB_PROXY_ADDRESSES" in env:
        given["proxy_addresses"] = tuple(a.strip() for a in env["KIOSK_HUB_PROXY_ADDRESSES"].split(",") if a.strip())
    return ServerLimits.model_validate(given)


def settings_from_env(db: str | None = None) -> HubSettings:
    """The settings from KIOSK_HUB_* environment variables; a `--db` flag wins over KIOSK_HUB_DB."""
    env = os.environ
    base = HubSettings()
    key_file = env.get("KIOSK_HUB_KEY_FILE")
    return HubSettings(
        database_url=db or env.get("KIOSK_HUB_DB", base.database_url),
        key_file=Path(key_file) if key_file else None,
        release_dir=Path(env["KIOSK_HUB_RELEASE_DIR"]) if env.get("KIOSK_HUB_RELEASE_DIR") else None,
        config_signature_days=int(env.get("KIOSK_HUB_CONFIG_SIGNATURE_DAYS", base.config_signature_days)),
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
        access=_access_from_env(env),
        his=his_settings_from_env(env),
        events=EventSettings(
            poll_seconds=float(env.get("KIOSK_HUB_EVENTS_POLL_SECONDS", EventSettings().poll_seconds)),
            retention_days=float(env.get("KIOSK_HUB_EVENTS_RETENTION_DAYS", EventSettings().retention_days)),
        ),
        payments=payment_settings_from_env(env),
        server=_server_limits(env),
        calling=_calling_from_env(env),
        min_free_disk_mb=int(env.get("KIOSK_HUB_MIN_FREE_DISK_MB", base.min_free_disk_mb)),
        retention_days=int(env.get("KIOSK_HUB_RETENTION_DAYS", base.retention_days)),
        purge_interval_seconds=float(env.get("KIOSK_HUB_PURGE_INTERVAL_SECONDS", base.purge_interval_seconds)),
        help_escalate_after_seconds=float(
            env.get("KIOSK_HUB_HELP_ESCALATE_AFTER_SECONDS", base.help_escalate_after_seconds)
        ),
    )


def _calling_from_env(env: Mapping[str, str]) -> CallingSettings:
    names = {
        "skip_returns_after_calls": "KIOSK_HUB_CALLING_SKIP_RETURNS_AFTER",
        "skip_returns": "KIOSK_HUB_CALLING_SKIP_RETURNS",
        "transfer_keeps_number": "KIOSK_HUB_CALLING_TRANSFER_KEEPS_NUMBER",
        "poll_seconds": "KIOSK_HUB_CALLING_POLL_SECONDS",
        "voice_cache_dir": "KIOSK_HUB_VOICE_CACHE_DIR",
        "espeak": "KIOSK_HUB_ESPEAK",
    }
    return CallingSettings.model_validate({field: env[name] for field, name in names.items() if env.get(name)})


def _access_from_env(env: Mapping[str, str]) -> AccessSettings:
    base = AccessSettings()
    key_file = env.get("KIOSK_HUB_ACCESS_LOG_KEY_FILE")
    return AccessSettings(
        lookup_burst=int(env.get("KIOSK_HUB_LOOKUP_BURST", base.lookup_burst)),
        lookup_refill_seconds=float(env.get("KIOSK_HUB_LOOKUP_REFILL_SECONDS", base.lookup_refill_seconds)),
        access_log_key_file=Path(key_file) if key_file else None,
        password_hash_workers=int(env.get("KIOSK_HUB_PASSWORD_HASH_WORKERS", base.password_hash_workers)),
        api_docs=env.get("KIOSK_HUB_API_DOCS", base.api_docs),  # type: ignore[arg-type]
    )


def his_settings_from_env(env: Mapping[str, str]) -> HisSettings:
    base = HisSettings()
    return HisSettings(
        adapter=env.get("KIOSK_HUB_HIS_ADAPTER", base.adapter),
        base_url=env.get("KIOSK_HUB_HIS_URL", base.base_url),
        token=env.get("KIOSK_HUB_HIS_TOKEN", ""),  # type: ignore[arg-type]
        timeout_seconds=float(env.get("KIOSK_HUB_HIS_TIMEOUT_SECONDS", base.timeout_seconds)),
        options=json.loads(env.get("KIOSK_HUB_HIS_OPTIONS", "{}")),
        poll_seconds=float(env.get("KIOSK_HUB_HIS_POLL_SECONDS", base.poll_seconds)),
        sync_minutes=float(env.get("KIOSK_HUB_HIS_SYNC_MINUTES", base.sync_minutes)),
        send_bhyt_checkin=env.get("KIOSK_HUB_BHYT_CHECKIN", "off").lower() in ("on", "send", "1", "true"),
        province_code=env.get("KIOSK_HUB_PROVINCE_CODE", ""),
    )


def payment_settings_from_env(env: Mapping[str, str]) -> PaymentSettings:
    names = {
        "provider": "KIOSK_HUB_PAYMENT_PROVIDER",
        "base_url": "KIOSK_HUB_PAYOS_URL",
        "client_id": "KIOSK_HUB_PAYOS_CLIENT_ID",
        "api_key": "KIOSK_HUB_PAYOS_API_KEY",
        "checksum_key": "KIOSK_HUB_PAYOS_CHECKSUM_KEY",
        "bank_bin": "KIOSK_HUB_PAYMENT_BANK_BIN",
        "account_number": "KIOSK_HUB_PAYMENT_ACCOUNT",
        "account_name": "KIOSK_HUB_PAYMENT_ACCOUNT_NAME",
        "reference_prefix": "KIOSK_HUB_PAYMENT_PREFIX",
        "kiosk_minutes": "KIOSK_HUB_PAYMENT_MINUTES",
        "poll_seconds": "KIOSK_HUB_PAYMENT_POLL_SECONDS",
        "silent_minutes": "KIOSK_HUB_PAYMENT_SILENT_MINUTES",
    }
    given: dict[str, object] = {field: env[name] for field, name in names.items() if name in env}
    if "KIOSK_HUB_PAYMENT_PAY_LATER" in env:
        given["pay_later"] = env["KIOSK_HUB_PAYMENT_PAY_LATER"].lower() in ("on", "1", "true", "yes")
    if "KIOSK_HUB_FEE_EXEMPT_REASONS" in env:
        given["exempt_reasons"] = tuple(r.strip() for r in env["KIOSK_HUB_FEE_EXEMPT_REASONS"].split(",") if r.strip())
    return PaymentSettings.model_validate(given)
