"""The systemd units, udev rules and install script: `systemd-analyze verify`, the options the kiosk relies on,
and an install into a scratch root (DESTDIR) that keeps IT's environment files on a re-run."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "systemd"
PREFIX = "/opt/vn-hospital-kiosk"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNITS / name)
    return parser


def _verify(path: Path) -> subprocess.CompletedProcess[str]:
    # verify warns (exit 0) on unknown keys and bad values: the test treats any output as a failure.
    return subprocess.run(
        ["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def staged_units(tmp_path: Path) -> Path:
    """The units with the install prefix pointed at this checkout, so ExecStart names real executables."""
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed (Debian: systemd)")
    for name in ("kiosk.service", "kiosk-hub.service"):
        text = (UNITS / name).read_text(encoding="utf-8").replace(PREFIX, str(REPO))
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("name", ["kiosk.service", "kiosk-hub.service"])
def test_systemd_analyze_verify_passes_without_a_warning(staged_units: Path, name: str) -> None:
    result = _verify(staged_units / name)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_verify_would_catch_a_mistyped_unit(staged_units: Path) -> None:
    broken = staged_units / "broken.service"
    broken.write_text((staged_units / "kiosk.service").read_text().replace("Type=notify", "Type=notifyy"))
    result = _verify(broken)
    assert "notifyy" in result.stdout + result.stderr


def test_the_kiosk_unit_has_watchdog_restart_a_dedicated_user_and_hardening() -> None:
    service = _unit("kiosk.service")["Service"]
    assert service["Type"] == "notify"
    assert int(service["WatchdogSec"]) > 0
    assert service["Restart"] == "always"
    assert service["User"] == "kiosk"
    groups = set(service["SupplementaryGroups"].split())
    assert groups <= {"video", "render", "input", "lp", "dialout"}
    assert not groups & {"root", "sudo", "adm", "disk"}
    for option, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "DevicePolicy": "closed",
        "CapabilityBoundingSet": "",
    }.items():
        assert service[option] == value, option


def test_the_hub_unit_runs_unprivileged_and_migrates_first() -> None:
    service = _unit("kiosk-hub.service")["Service"]
    assert service["User"] == "kiosk-hub"
    assert service["ExecStartPre"].endswith("kiosk-hub migrate")
    assert service["PrivateDevices"] == "yes"
    assert service["MemoryDenyWriteExecute"] == "yes"


def test_the_hub_unit_gives_the_default_socket_cap_its_open_files() -> None:
    from kiosk_hub.serving.run import BACKLOG, RESERVED_DESCRIPTORS
    from kiosk_hub.settings import ServerLimits

    service = _unit("kiosk-hub.service")["Service"]
    room = int(service["LimitNOFILE"]) - RESERVED_DESCRIPTORS - BACKLOG
    assert room >= ServerLimits().max_connections
    assert service["UMask"] == "0077"  # the database, its WAL and backups made by the hub: owner only


def test_udev_rules_give_every_device_a_stable_name_and_no_world_access() -> None:
    rules = [
        line
        for line in (UNITS / "70-kiosk-devices.rules").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    names = set()
    for rule in rules:
        pairs = [p.strip() for p in rule.split(", ")]
        assert all(re.fullmatch(r'[A-Z_]+(\{[\w]+\})?(==|!=|=|\+=)"[^"]*"', p) for p in pairs), rule
        names.update(re.findall(r'SYMLINK\+="([\w-]+)"', rule))
        mode = re.search(r'MODE="(\d+)"', rule)
        assert mode, rule
        assert mode.group(1)[-1] == "0", f"world-accessible: {rule}"
    assert names == {"kiosk-printer", "kiosk-camera", "kiosk-reader"}


def test_install_script_puts_units_rules_and_env_files_in_place(tmp_path: Path) -> None:
    env = {**os.environ, "DESTDIR": str(tmp_path)}
    subprocess.run(["bash", "-n", str(UNITS / "install.sh")], check=True, timeout=30)
    subprocess.run([str(UNITS / "install.sh"), "all"], env=env, check=True, timeout=60)
    root = tmp_path / "etc"
    assert (root / "systemd/system/kiosk.service").read_bytes() == (UNITS / "kiosk.service").read_bytes()
    assert (root / "systemd/system/kiosk-hub.service").exists()
    assert (root / "udev/rules.d/70-kiosk-devices.rules").exists()
    kiosk_env = root / "vn-hospital-kiosk/kiosk.env"
    assert kiosk_env.stat().st_mode & 0o777 == 0o600
    kiosk_env.write_text("KIOSK_NAME=sanh-b-02\n")
    subprocess.run([str(UNITS / "install.sh"), "kiosk"], env=env, check=True, timeout=60)
    assert kiosk_env.read_text() == "KIOSK_NAME=sanh-b-02\n"  # IT's settings survive a re-install


def test_install_script_refuses_an_unknown_role(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(UNITS / "install.sh"), "everything"], env={**os.environ, "DESTDIR": str(tmp_path)},
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "usage" in result.stderr
