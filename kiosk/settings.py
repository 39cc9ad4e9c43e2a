"""The kiosk's local settings (one TOML file per kiosk, `/etc/vn-hospital-kiosk/kiosk.toml`): validated once at the
edge, typed after.

What is local: how to reach the hub, which devices are attached, the panel (video driver, size, rotation) and
accessibility modes, and the session timers. Hospital-wide policy arrives later through remote configuration
(kiosk/remote_config). The file is the one place: no environment variable overrides it (`KIOSK_STATE_DIR`, where
the kiosk keeps its state, is systemd's; see `kiosk config check`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from kiosk.domain.idle import IDLE_AFTER_S_MAX, IDLE_AFTER_S_MIN, WARNING_S_MAX, WARNING_S_MIN
from kiosk.domain.language import DEFAULT_LANGUAGE, Language
from kiosk.hardware.virtual import VIRTUAL
from kiosk.speech.settings import SpeechSettings


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


DEFAULT_SETTINGS_FILE = Path("/etc/vn-hospital-kiosk/kiosk.toml")
VideoDriver = Literal["auto", "kmsdrm", "x11", "offscreen"]


class HubSettings(Section):
    # "embedded" runs the demo hub (made-up patients) inside the kiosk: refused unless the file says demo = true.
    mode: Literal["embedded", "remote"] = "embedded"
    base_url: str | None = Field(default=None, pattern=r"^https?://")
    token: SecretStr | None = None
    timeout_s: float = Field(default=5.0, gt=0, le=30)
    # The hospital's CA (PEM), trusted besides the operating system's store (where update-ca-certificates puts it).
    ca_file: Path | None = None
    # The one-time code from the console, for a kiosk that enrols by itself at first start (`kiosk enrol --code`
    # does it by hand); used once, then the saved credentials count.
    enrolment_code: SecretStr | None = Field(default=None, min_length=4, max_length=40)

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
    # auto: x11 when DISPLAY is set (a kiosk session on weston or cage, through Xwayland), else kmsdrm (the panel
    # straight from the kernel). offscreen draws into memory only: nothing on the panel (tests).
    video_driver: VideoDriver = "auto"
    # The panel's size in pixels; unset: the display's own mode. A panel mounted on its side turns by `rotation`.
    width: int | None = Field(default=None, ge=320, le=7680)
    height: int | None = Field(default=None, ge=320, le=7680)
    rotation: Literal[0, 90, 180, 270] = 0
    # auto: portrait when the (rotated) panel is taller than wide
    orientation: Literal["auto", "portrait", "landscape"] = "auto"

    fullscreen: bool = True
    language: Language = DEFAULT_LANGUAGE
    high_contrast: bool = False
    large_text: bool = False
    diagonal_inches: float = Field(default=21.5, ge=7, le=100, description="the panel's size: text ≥ 4.8 mm on it")
    # Anti-aliasing of shape edges (0, 2, 4); off by default: 64 MB of memory at 1080×1920 for rounder corners.
    multisamples: Literal[0, 2, 4] = 0

    @model_validator(mode="after")
    def _both_or_neither(self) -> ScreenSettings:
        if (self.width is None) != (self.height is None):
            raise ValueError("set both width and height, or neither (the display's own size)")
        return self

    @property
    def size(self) -> tuple[int, int]:
        """The configured size, or the standard panel for the configured orientation (when no display says)."""
        if self.width is not None and self.height is not None:
            return (self.width, self.height)
        return (1920, 1080) if self.orientation == "landscape" else (1080, 1920)


class SessionSettings(Section):
    idle_after_s: float = Field(default=45, ge=IDLE_AFTER_S_MIN, le=IDLE_AFTER_S_MAX)
    warning_s: float = Field(
        default=25,
        ge=WARNING_S_MIN,
        le=WARNING_S_MAX,
        description=f"at least {WARNING_S_MIN} s by the hospital's policy",
    )
    paper_in_hand_s: float = Field(default=15, ge=5, le=120)


class UpdateSettings(Section):
    """The update agent (`kiosk updates run`, unit kiosk-updates.service): docs/updates.md."""

    enabled: bool = True
    install_root: Path = Path("/opt/vn-hospital-kiosk")  # releases/<version>/ and the `current` symlink
    python: str = "/usr/bin/python3"  # every release's virtualenv is made from it
    check_every_s: float = Field(default=300, ge=1, le=86400)
    bandwidth_kbps: int = Field(default=2048, ge=0)  # the download's cap, kilobytes per second (0: no cap)
    health_timeout_s: float = Field(default=180, ge=5, le=3600)  # a new release proves healthy within this
    wait_for_app: bool = True  # healthy includes the app's READY (home screen drawn, devices probed)
    min_free_mb: int = Field(default=200, ge=0)  # kept free on the disk after an install
    # Slim releases only (the tests' and benches' kiosks): site-packages the project's wheel stands on.
    shared_base: Path | None = None


class KioskSettings(Section):
    # The demo: simulated devices and the embedded demo hub are allowed, and the kiosk says it is a demo.
    demo: bool = False
    hospital_name: str = Field(default="Bệnh viện Đa khoa Demo", min_length=1, max_length=120)
    kiosk_name: str = Field(default="kiosk-1", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    # Where the kiosk stands, told to the reception staff when a patient presses "Cần hỗ trợ".
    location: str = Field(default="", max_length=120)
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
    updates: UpdateSettings = UpdateSettings()


class SettingsError(ValueError):
    """The settings file cannot be used; `problems` name each field and what is wrong (never its value)."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.problems = problems


def read_settings_file(path: Path) -> dict[str, Any]:
    """The file's TOML as written (what `kiosk config check` compares with the defaults)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(path, [f"cannot read: {exc.strerror}"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(path, [f"not TOML: {exc}"]) from exc


def load_settings(path: Path) -> KioskSettings:
    data = read_settings_file(path)
    try:
        return KioskSettings.model_validate(data)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise SettingsError(path, problems) from exc


def refusals(settings: KioskSettings) -> list[str]:
    """Why an installed kiosk must not serve patients with these settings (empty: it may). Simulated devices and
    the embedded demo hub are for the demo only: a kiosk needs `demo = true` to run with them."""
    if settings.demo:
        return []
    found = [f"devices.{name} is simulated ({VIRTUAL})" for name, value in settings.devices if value == VIRTUAL]
    if settings.hub.mode == "embedded":
        found.append("hub.mode is embedded (the demo hub with made-up patients)")
    return found
