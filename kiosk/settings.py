"""The kiosk's local settings (one TOML file per kiosk): validated once at the edge, typed after.

What is local: how to reach the hub, which devices are attached, screen orientation and accessibility modes, and
the session timers. Hospital-wide policy arrives later through remote configuration (kiosk/remote_config).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from kiosk.domain.idle import IDLE_AFTER_S_MAX, IDLE_AFTER_S_MIN, WARNING_S_MAX, WARNING_S_MIN
from kiosk.domain.language import DEFAULT_LANGUAGE, Language
from kiosk.hardware.virtual import VIRTUAL
from kiosk.speech.settings import SpeechSettings


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HubSettings(Section):
    mode: Literal["embedded", "remote"] = "embedded"
    base_url: str | None = Field(default=None, pattern=r"^https?://")
    token: SecretStr | None = None
    timeout_s: float = Field(default=5.0, gt=0, le=30)

    @model_validator(mode="after")
    def _remote_needs_an_address(self) -> HubSettings:
        # The token may come later: from the credentials the kiosk saved when it enrolled with a one-time code.
        if self.mode == "remote" and not self.base_url:
            raise ValueError("a remote hub needs base_url")
        return self


class DeviceSettings(Section):
    chip_reader: str = VIRTUAL  # PC/SC reader name, never "first reader found"
    camera: str = VIRTUAL  # OpenCV device index or path
    printer: str = VIRTUAL  # tcp://host:9100, usb://VID:PID, serial:///dev/ttyUSB0, file:///…
    paper_mm: Literal[58, 80] = 80
    printer_confirm_with: Literal["gs_r", "status_only"] = "gs_r"  # status_only: printers that never answer GS r


class ScreenSettings(Section):
    orientation: Literal["portrait", "landscape"] = "portrait"
    fullscreen: bool = True
    language: Language = DEFAULT_LANGUAGE
    high_contrast: bool = False
    large_text: bool = False
    diagonal_inches: float = Field(default=21.5, ge=7, le=100, description="the panel's size: text ≥ 4.8 mm on it")
    # Anti-aliasing of shape edges (0, 2, 4); off by default: 64 MB of memory at 1080×1920 for rounder corners.
    multisamples: Literal[0, 2, 4] = 0

    @property
    def size(self) -> tuple[int, int]:
        return (1080, 1920) if self.orientation == "portrait" else (1920, 1080)


class SessionSettings(Section):
    idle_after_s: float = Field(default=45, ge=IDLE_AFTER_S_MIN, le=IDLE_AFTER_S_MAX)
    warning_s: float = Field(
        default=25,
        ge=WARNING_S_MIN,
        le=WARNING_S_MAX,
        description=f"at least {WARNING_S_MIN} s by the hospital's policy",
    )
    paper_in_hand_s: float = Field(default=15, ge=5, le=120)


class KioskSettings(Section):
    hospital_name: str = Field(default="Bệnh viện Đa khoa Demo", min_length=1, max_length=120)
    kiosk_name: str = Field(default="kiosk-1", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    # Staff open the maintenance screen with it (five taps on the hospital's name); unset: no maintenance screen.
    maintenance_pin: SecretStr | None = Field(default=None, min_length=4, max_length=8)

    @model_validator(mode="after")
    def _pin_is_digits(self) -> KioskSettings:
        if self.maintenance_pin is not None and not self.maintenance_pin.get_secret_value().isdigit():
            raise ValueError("maintenance_pin must be 4 to 8 digits")
        return self

    hub: HubSettings = HubSettings()
    devices: DeviceSettings = DeviceSettings()
    screen: ScreenSettings = ScreenSettings()
    session: SessionSettings = SessionSettings()
    speech: SpeechSettings = SpeechSettings()


class SettingsError(ValueError):
    """The settings file cannot be used; `problems` name each field and what is wrong (never its value)."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.problems = problems


def settings_from_environment(env: Mapping[str, str]) -> KioskSettings:
    """No settings file: the defaults, with what systemd's environment file says (KIOSK_NAME, KIOSK_HUB_URL)."""
    data: dict[str, object] = {}
    if env.get("KIOSK_NAME"):
        data["kiosk_name"] = env["KIOSK_NAME"]
    if env.get("KIOSK_HUB_URL"):
        data["hub"] = {"mode": "remote", "base_url": env["KIOSK_HUB_URL"]}
    try:
        return KioskSettings.model_validate(data)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise SettingsError(Path("<environment>"), problems) from exc


def load_settings(path: Path) -> KioskSettings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(path, [f"cannot read: {exc.strerror}"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(path, [f"not TOML: {exc}"]) from exc
    try:
        return KioskSettings.model_validate(data)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise SettingsError(path, problems) from exc
