"""The systemd units, udev rules and install script: `systemd-analyze verify`, the options the kiosk relies on (the
panel's VT, no getty on it, the watchdog pinged by the kiosk inside weston's session), the hub's migrations run once
before one or several hub processes, udev groups that Debian has, and an install into a scratch root (DESTDIR) that
keeps IT's settings on a re-run. The real install is run by tests/golive."""

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
# A release's virtualenv (systemd/install.sh): this checkout's .venv stands in for it.
RELEASES = {"/opt/vn-hospital-kiosk-hub/current": ".venv", "/opt/vn-hospital-kiosk/current": ".venv"}
KIOSK_UNITS = ("kiosk.service", "kiosk-weston.service")
UPDATE_UNITS = ("kiosk-updates.service", "kiosk-release.service", "kiosk-release.path")
HUB_UNITS = ("kiosk-hub.service", "kiosk-hub-migrate.service", "kiosk-hub@.service", "kiosk-hub.target")
# Where Debian defines its system groups: base-passwd's static list, and those systemd creates at boot.
DEBIAN_GROUPS = (Path("/usr/share/base-passwd/group.master"), Path("/usr/lib/sysusers.d/basic.conf"))
# And those Debian's udev package adds when it is installed (its postinst), as it is on every kiosk (not in this
# test machine's container, which has no udev): the touch panel's `input`, the GPU's `render`.
UDEV_GROUPS = {"input", "kvm", "render", "sgx"}


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
    for name in (*KIOSK_UNITS, *UPDATE_UNITS, *HUB_UNITS):
        text = (UNITS / name).read_text(encoding="utf-8")
        for release, venv in RELEASES.items():
            text = text.replace(release, str(REPO / venv))
        (tmp_path / name).write_text(text, encoding="utf-8")
    shutil.copy(tmp_path / "kiosk-hub@.service", tmp_path / "kiosk-hub@8081.service")  # an instance of the template
    return tmp_path


@pytest.mark.parametrize(
    "name",
    [
        *KIOSK_UNITS,
        *UPDATE_UNITS,
        "kiosk-hub.service",
        "kiosk-hub-migrate.service",
        "kiosk-hub@8081.service",
        "kiosk-hub.target",
    ],
)
def test_systemd_analyze_verify_passes_without_a_warning(staged_units: Path, name: str) -> None:
    if name == "kiosk-weston.service" and not shutil.which("weston"):
        pytest.skip("weston is not installed (Debian: weston)")
    result = _verify(staged_units / name)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_verify_would_catch_a_mistyped_unit(staged_units: Path) -> None:
    broken = staged_units / "broken.service"
    broken.write_text((staged_units / "kiosk.service").read_text().replace("Type=notify", "Type=notifyy"))
    result = _verify(broken)
    assert "notifyy" in result.stdout + result.stderr


@pytest.mark.parametrize("name", KIOSK_UNITS)
def test_a_kiosk_session_owns_the_panels_vt_with_watchdog_restart_and_a_dedicated_user(name: str) -> None:
    unit = _unit(name)
    service = unit["Service"]
    assert service["TTYPath"] == "/dev/tty1"
    assert "getty@tty1.service" in unit["Unit"]["Conflicts"].split()  # no login prompt on the panel
    assert service["Type"] == "notify"
    assert int(service["WatchdogSec"]) > 0
    assert service["Restart"] == "always"
    assert service["User"] == "kiosk"
    assert "EnvironmentFile" not in service  # the settings file is the one place
    assert service["Environment"].startswith("KIOSK_STATE_DIR=")


def test_weston_starts_the_kiosk_which_pings_for_the_session() -> None:
    service = _unit("kiosk-weston.service")["Service"]
    assert service["NotifyAccess"] == "all"  # the kiosk is weston's child, not the main process
    assert service["PAMName"] == "login"  # a logind session: weston gets the DRM device and the touch panel
    weston = configparser.ConfigParser(strict=False, interpolation=None)
    weston.read(REPO / "deploy" / "kiosk" / "weston.ini")
    assert weston["core"]["shell"] == "kiosk-shell.so"
    assert weston["core"]["idle-time"] == "0"  # never blanks
    assert weston["keyboard"]["vt-switching"] == "false"
    assert weston["autolaunch"]["path"] == "/opt/vn-hospital-kiosk/current/bin/kiosk-panel"
    assert weston["autolaunch"]["watch"] == "true"


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


@pytest.mark.parametrize("name", ["kiosk-hub.service", "kiosk-hub@.service"])
def test_hub_processes_run_unprivileged_after_the_one_migration(name: str) -> None:
    unit = _unit(name)
    service = unit["Service"]
    assert service["User"] == "kiosk-hub"
    assert "ExecStartPre" not in service  # several processes must not each migrate the shared database
    assert "kiosk-hub-migrate.service" in unit["Unit"]["Requires"].split()
    assert "kiosk-hub-migrate.service" in unit["Unit"]["After"].split()
    assert service["PrivateDevices"] == "yes"
    assert service["MemoryDenyWriteExecute"] == "yes"


@pytest.mark.parametrize("unit", ["kiosk-hub.service", "kiosk-hub@.service"])
def test_the_hub_unit_gives_the_default_socket_cap_its_open_files(unit: str) -> None:
    from kiosk_hub.serving.run import BACKLOG, RESERVED_DESCRIPTORS
    from kiosk_hub.settings import ServerLimits

    service = _unit(unit)["Service"]
    room = int(service["LimitNOFILE"]) - RESERVED_DESCRIPTORS - BACKLOG
    assert room >= ServerLimits().max_connections
    assert service["UMask"] == "0077"  # the database, its WAL and backups made by the hub: owner only


@pytest.mark.parametrize("unit", ["kiosk-hub.service", "kiosk-hub@.service", "kiosk-hub-migrate.service"])
def test_the_hub_keeps_its_key_file_out_of_its_state_directory_and_may_write_only_there_in_etc(unit: str) -> None:
    # migrate makes the key on the first start; every serving process must find the same file.
    text = (UNITS / unit).read_text(encoding="utf-8")
    key_file = re.search(r"^Environment=KIOSK_HUB_KEY_FILE=(\S+)$", text, re.MULTILINE)
    assert key_file is not None
    writable = re.search(r"^ReadWritePaths=-?(\S+)$", text, re.MULTILINE)
    assert writable is not None
    assert Path(key_file.group(1)).parent == Path(writable.group(1)) == Path("/etc/vn-hospital-kiosk/hub-keys")
    assert not key_file.group(1).startswith("/var/lib/kiosk-hub")


def test_the_migration_is_a_oneshot_and_the_template_serves_its_instance_port_on_loopback() -> None:
    migrate = _unit("kiosk-hub-migrate.service")["Service"]
    assert (migrate["Type"], migrate["RemainAfterExit"], migrate["User"]) == ("oneshot", "yes", "kiosk-hub")
    assert migrate["ExecStart"] == "/opt/vn-hospital-kiosk-hub/current/bin/kiosk-hub migrate"
    template = _unit("kiosk-hub@.service")
    assert template["Service"]["ExecStart"].endswith("kiosk-hub serve --host 127.0.0.1 --port %i")
    assert template["Install"]["WantedBy"] == "kiosk-hub.target"
    assert _unit("kiosk-hub.target")["Unit"]["Wants"] == "kiosk-hub-migrate.service"


def test_the_update_agent_starts_after_its_guard_and_again_after_each_switch() -> None:
    service = _unit("kiosk-updates.service")["Service"]
    # The guard runs from outside every release, with Debian's python3: a release that cannot start cannot stop it.
    assert service["ExecStartPre"] == "/usr/bin/python3 -I /opt/vn-hospital-kiosk/update-guard.py"
    assert service["ExecStart"] == "/opt/vn-hospital-kiosk/current/bin/kiosk updates run"
    assert (service["Restart"], service["SuccessExitStatus"], service["User"]) == ("always", "75", "kiosk")
    assert service["ReadWritePaths"] == "/opt/vn-hospital-kiosk"  # the kiosk's own unit keeps /opt read-only
    assert _unit("kiosk-updates.service")["Unit"]["StartLimitIntervalSec"] == "0"  # the guard counts crash loops
    assert _unit("kiosk-release.path")["Path"]["PathChanged"] == "/opt/vn-hospital-kiosk/current"


def test_udev_rules_name_only_groups_debian_has() -> None:
    if not all(path.exists() for path in DEBIAN_GROUPS):
        pytest.skip("base-passwd's and systemd's group lists are not installed")
    known = {line.split(":")[0] for line in DEBIAN_GROUPS[0].read_text().splitlines() if line}
    known |= {line.split()[1] for line in DEBIAN_GROUPS[1].read_text().splitlines() if line.startswith("g ")}
    known |= UDEV_GROUPS
    named = set(re.findall(r'GROUP="(\w+)"', (UNITS / "70-kiosk-devices.rules").read_text()))
    assert named  # not vacuous: the printer's and the camera's rules name groups
    assert named <= known, named - known  # a group Debian lacks (e.g. "pcscd") leaves the node root's
    assert "pcscd" not in known  # Debian's pcscd runs as root and opens the reader itself


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
    assert names == {"kiosk-printer", "kiosk-camera", "kiosk-reader", "kiosk-touch"}


def test_install_script_puts_units_rules_and_settings_in_place_and_keeps_them(tmp_path: Path) -> None:
    env = {**os.environ, "DESTDIR": str(tmp_path)}
    subprocess.run(["bash", "-n", str(UNITS / "install.sh")], check=True, timeout=30)
    for role in ("kiosk", "hub"):
        subprocess.run([str(UNITS / "install.sh"), role], env=env, check=True, timeout=60)
    root = tmp_path / "etc"
    for name in (*KIOSK_UNITS, *UPDATE_UNITS):
        assert (root / "systemd/system" / name).read_bytes() == (UNITS / name).read_bytes()
    for unit in HUB_UNITS:
        assert (root / "systemd/system" / unit).read_bytes() == (UNITS / unit).read_bytes()
    assert (root / "haproxy/kiosk-hub.cfg.example").read_bytes() == (REPO / "deploy/haproxy/kiosk-hub.cfg").read_bytes()
    assert (tmp_path / "usr/local/bin/kiosk-hub").stat().st_mode & 0o777 == 0o755  # IT's `sudo kiosk-hub …`
    assert (root / "udev/rules.d/70-kiosk-devices.rules").exists()
    assert (root / "vn-hospital-kiosk/weston.ini").exists()
    assert (root / "systemd/logind.conf.d/vn-hospital-kiosk.conf").exists()
    assert (root / "sysctl.d/60-vn-hospital-kiosk.conf").exists()
    guard = tmp_path / "opt/vn-hospital-kiosk/update-guard.py"  # outside every release
    assert guard.read_bytes() == (REPO / "kiosk/updates/guard.py").read_bytes()
    assert not (root / "vn-hospital-kiosk/kiosk.env").exists()  # one settings file, no environment file
    settings = root / "vn-hospital-kiosk/kiosk.toml"
    assert settings.read_bytes() == (REPO / "config/kiosk.example.toml").read_bytes()
    assert settings.stat().st_mode & 0o777 == 0o640
    assert (root / "vn-hospital-kiosk/kiosk-hub.env").stat().st_mode & 0o777 == 0o600
    assert (root / "vn-hospital-kiosk/hub-keys").stat().st_mode & 0o777 == 0o700
    assert (root / "vn-hospital-kiosk").stat().st_mode & 0o777 == 0o751
    settings.write_text('kiosk_name = "sanh-b-02"\n')
    subprocess.run([str(UNITS / "install.sh"), "kiosk"], env=env, check=True, timeout=60)
    assert settings.read_text() == 'kiosk_name = "sanh-b-02"\n'  # IT's settings survive a re-install


@pytest.mark.parametrize(
    "args",
    [["everything"], ["kiosk", "--processes", "2"], ["hub", "--session", "weston"], ["hub", "--processes", "0"],
     ["hub", "--processes", "two"], ["kiosk", "--session", "gnome"]],
)  # fmt: skip
def test_install_script_refuses_an_unknown_role_or_option(tmp_path: Path, args: list[str]) -> None:
    result = subprocess.run(
        [str(UNITS / "install.sh"), *args], env={**os.environ, "DESTDIR": str(tmp_path)},
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "usage" in result.stderr or "install:" in result.stderr
    assert not (tmp_path / "etc").exists()  # nothing installed
