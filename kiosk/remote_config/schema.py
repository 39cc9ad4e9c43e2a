"""The kiosk's remote settings and what it reports: the one model the hub validates and the kiosk applies.

The hub imports this module (and the signed envelope, `envelope.py`) from the kiosk: the console's editor is driven
by the JSON Schema of `RemoteConfig`, generated into `config/kiosk-remote-config.schema.json`. Nothing here carries
personal data: heartbeats hold versions, device states and counters only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Final, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from kiosk.domain.idle import IDLE_AFTER_S_MAX, IDLE_AFTER_S_MIN, WARNING_S_MAX, WARNING_S_MIN
from kiosk.domain.language import Language

SCHEMA_VERSION: Final = 3
T = TypeVar("T")


def _blank_is_unset(value: object) -> object:
    # The console's form sends an empty field as "": the field is not set.
    return None if isinstance(value, str) and not value.strip() else value


# A field IT may leave unset (None): the kiosk keeps what its own settings file says.
Unset = Annotated[T | None, BeforeValidator(_blank_is_unset)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PrinterSettings(_Strict):
    uri: Unset[str] = Field(
        default=None,
        description="tcp://host:9100, usb://VID:PID, serial:///dev/kiosk-printer, file://; empty: the settings file's",
    )
    profile: str = Field(default="TM-T20II", description="python-escpos capability profile")
    paper_width_mm: Literal[58, 80] = 80


class CameraSettings(_Strict):
    device: Unset[str] = Field(default=None, description="V4L2 device or video file; empty: the settings file's")
    width: int = Field(default=1280, ge=160, le=3840)
    height: int = Field(default=720, ge=120, le=2160)


class IdleTimeouts(_Strict):
    screen_seconds: Unset[int] = Field(
        default=None, ge=IDLE_AFTER_S_MIN, le=IDLE_AFTER_S_MAX,
        description="no touch for this long: warn the patient; empty: the settings file's",
    )  # fmt: skip
    wipe_after_warning_seconds: Unset[int] = Field(
        default=None, ge=WARNING_S_MIN, le=WARNING_S_MAX,
        description=f"then wipe the session (at least {WARNING_S_MIN} s); empty: the settings file's",
    )  # fmt: skip


class TicketTexts(_Strict):
    header_vi: Unset[str] = Field(
        default=None, max_length=80, description="the hospital's name on tickets; empty: the settings file's"
    )
    header_en: str = Field(default="Demo General Hospital", max_length=80)
    footer_vi: str = Field(default="Vui lòng chờ gọi số", max_length=200)
    footer_en: str = Field(default="Please wait for your number", max_length=200)
    logo_png_base64: str = Field(default="", max_length=40_000, description="small PNG (< 30 kB), base64, or empty")


class RemoteConfig(_Strict):
    """Everything hospital IT may change on a kiosk from the console."""

    schema_version: Literal[3] = SCHEMA_VERSION
    departments_shown: list[str] = Field(default_factory=list, description="department ids; empty shows all")
    printer: PrinterSettings = Field(default_factory=PrinterSettings)
    camera: CameraSettings = Field(default_factory=CameraSettings)
    reader_name: str = Field(default="", max_length=100, description="PC/SC reader name prefix; empty: the only one")
    languages: list[Language] = Field(default_factory=lambda: [Language.VI, Language.EN], min_length=1)
    idle: IdleTimeouts = Field(default_factory=IdleTimeouts)
    ticket: TicketTexts = Field(default_factory=TicketTexts)
    trust_anchors_pem: list[str] = Field(default_factory=list, description="CSCA certificates for the chip")
    heartbeat_seconds: int = Field(default=30, ge=5, le=3600)
    poll_seconds: int = Field(default=30, ge=2, le=3600)

    @model_validator(mode="before")
    @classmethod
    def _from_older_versions(cls, data: Any) -> Any:
        for older, upgrade in ((1, upgrade_version_1), (2, upgrade_version_2)):
            if isinstance(data, dict) and data.get("schema_version") == older:
                data = upgrade(data)
        return data

    @field_validator("languages")
    @classmethod
    def _vietnamese_first(cls, value: list[Language]) -> list[Language]:
        if Language.VI not in value:
            # A typed error: the hub's console words it in Vietnamese and English (kiosk_hub/explain.py).
            raise PydanticCustomError("vietnamese_required", "Vietnamese must stay available")
        return value

    @field_validator("trust_anchors_pem")
    @classmethod
    def _pem_only(cls, value: list[str]) -> list[str]:
        for pem in value:
            if "-----BEGIN CERTIFICATE-----" not in pem:
                raise PydanticCustomError("not_a_certificate", "a trust anchor must be a PEM certificate")
        return value


# Version 1 had no "unset": a field left at the model's default kept the kiosk's own settings file. These were they.
_V1_UNSET = {("printer", "uri"): "usb://auto", ("camera", "device"): "/dev/kiosk-camera"}
_V1_UNSET[("ticket", "header_vi")] = "Bệnh viện Đa khoa Demo"
_V1_IDLE = {"screen_seconds": 60, "wipe_after_warning_seconds": 15}


def upgrade_version_1(document: dict[str, Any]) -> dict[str, Any]:
    """A version 1 document as version 2, meaning what it meant: fields at version 1's defaults become unset, and
    the idle timers (applied together when either differed from its default, the warning raised to the policy's
    minimum) are both set, or both unset."""
    upgraded = {**document, "schema_version": 2}
    for (section, name), default in _V1_UNSET.items():
        fields = dict(upgraded.get(section) or {})
        if fields.get(name, default) == default:
            fields[name] = None
        upgraded[section] = fields
    idle = {**_V1_IDLE, **(upgraded.get("idle") or {})}
    if idle == _V1_IDLE:
        upgraded["idle"] = {"screen_seconds": None, "wipe_after_warning_seconds": None}
    else:
        warning = idle["wipe_after_warning_seconds"]
        warning = max(WARNING_S_MIN, warning) if isinstance(warning, int) else warning
        upgraded["idle"] = {**idle, "wipe_after_warning_seconds": warning}
    return upgraded


def upgrade_version_2(document: dict[str, Any]) -> dict[str, Any]:
    """A version 2 document as version 3: the BHXH lookup officer (a member of staff's name and CCCD) left the
    kiosks' configuration for the hub's own settings; kiosks never used it."""
    upgraded = {key: value for key, value in document.items() if key != "lookup_officer"}
    return {**upgraded, "schema_version": 3}


class DeviceState(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    MISSING = "missing"
    FAULT = "fault"
    UNKNOWN = "unknown"


class ApplyStatus(StrEnum):
    APPLIED = "applied"
    REVERTED = "reverted"
    REFUSED = "refused"
    WAITING = "waiting"  # valid, held until the patient in front of the kiosk is done


class EnrolReply(BaseModel):
    """The hub's answer to an enrolment (`POST /fleet/v1/enrol`)."""

    kiosk_id: str
    token: str
    config_public_key: str  # pinned by the kiosk: it trusts configurations signed by it (or a key it hands on to)
    config_key_id: str
    group_id: str
    config_version: int  # what the kiosk's group runs now: the kiosk never accepts an older version
    # The release-signing key, pinned beside the configuration key: a role of its own (`docs/updates.md`); empty from
    # a hub older than releases.
    release_public_key: str = ""
    release_key_id: str = ""


class ConfigReport(BaseModel):
    version: int
    status: ApplyStatus
    reason: str = Field(default="", max_length=500)


class FunnelCounters(BaseModel):
    """Today's counts on this kiosk (hospital day); no patient is identifiable from them."""

    identifications: dict[str, int] = Field(default_factory=dict, description="by method: chip, cccd_qr, bhyt_qr…")
    identification_failures: dict[str, int] = Field(default_factory=dict, description="by reason code")
    entitlement_actions: dict[str, int] = Field(default_factory=dict, description="by BHXH maKetQua code")
    tickets: int = 0
    desk_slips: int = 0
    print_failures: int = 0


class DisplayReport(BaseModel):
    """What the panel shows: a kiosk drawing offscreen, or drawing nothing, is not a working kiosk however green
    its devices are."""

    driver: str = Field(max_length=16, description="SDL video driver: kmsdrm, x11 (under a compositor), offscreen")
    width: int = Field(ge=0, le=16384)
    height: int = Field(ge=0, le=16384)
    rotation: int = Field(default=0, ge=0, le=270)
    frames_last_minute: int = Field(ge=0, description="frames drawn in the last 60 s (at least one every 10 s)")


class Heartbeat(BaseModel):
    app_version: str = Field(max_length=40)
    config_version: int = 0
    config_status: ApplyStatus | None = None
    devices: dict[str, DeviceState] = Field(default_factory=dict)
    funnel: FunnelCounters = Field(default_factory=FunnelCounters)
    day: str = Field(default="", pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="the hospital day the counters are for")
    uptime_seconds: int = 0
    alerts: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")]] = Field(
        default_factory=list, max_length=20, description="IT alerts since the last heartbeat: reason codes only"
    )
    display: DisplayReport | None = None  # None: a kiosk without a panel (tests) or older than this field


class ActionKind(StrEnum):
    RESTART = "restart"
    RELOAD_CONFIG = "reload_config"
    TEST_PRINT = "test_print"
    SCREENSHOT = "screenshot"


class PendingAction(BaseModel):
    id: str
    kind: ActionKind


class HeartbeatReply(BaseModel):
    actions: list[PendingAction] = Field(default_factory=list)
    config_version: int = 0  # the version the hub wants here, so the agent can poll at once


class ActionResult(BaseModel):
    ok: bool
    detail: str = Field(default="", max_length=500)
    screenshot_png_base64: str = Field(default="", max_length=60_000)  # the hub takes bodies up to 64 KiB


def remote_config_json_schema() -> dict[str, object]:
    return RemoteConfig.model_json_schema()
