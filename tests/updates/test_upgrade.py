"""A real upgrade: this repository built as releases N, N+1 and a broken N+2 (a copy with the version bumped; N+2
crashes at import), N installed by the agent's own installer, the hub a `kiosk-hub serve` process, releases added
and rolled out with `kiosk-hub release …`, and the kiosk's update agent run as systemd runs its unit (guard before
each start, restart on exit: tests/updates/supervisor.py). The kiosk reports N+1 and the hub's rollout is done;
then N+2 crash-loops, the guard takes the kiosk back to N+1 within the health timeout and the hub halts the
rollout with the reason.

Slim releases (the project's wheel alone over the test run's site-packages, `[updates] shared_base`) keep it to
about a minute; the agent installs them with the same code as a full release. The kiosk app itself (Kivy) is not
started: `wait_for_app = false`, so health here is the agent's own start on the new release and the hub
answering it (the app's READY mark is tested in test_agent.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk.remote_config.enrolment import KioskCredentials, save_credentials
from kiosk.updates import guard
from kiosk.updates.install import Layout, install
from tests.hub.servers import hub_process
from tests.updates.builds import base_python, build_wheels, manifest_for, shared_base, slim_bundle, source_copy
from tests.updates.supervisor import AgentUnit

N, N1, BROKEN = "0.1.1", "0.1.2", "0.1.3"
HEALTH_S = 40


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("builds")
    sources = [source_copy(work / v, v, crash=v == BROKEN) for v in (N, N1, BROKEN)]
    build_wheels(sources, work / "wheels")
    return work / "wheels"


def _hub_cli(env: dict[str, str], *args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "kiosk_hub.cli", *args], env=env, capture_output=True, text=True,
                          check=False, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _install_first(layout: Layout, wheels: Path) -> None:
    """Release N on the kiosk, as `install kiosk` leaves it: `current` → releases/N."""
    only_n = wheels.parent / "only-n"
    only_n.mkdir(exist_ok=True)
    wheel = next(wheels.glob(f"vn_hospital_kiosk-{N}-*.whl"))
    (only_n / wheel.name).write_bytes(wheel.read_bytes())
    install(layout, manifest_for(N, only_n), only_n)
    guard.switch(layout.root, N)


def _settings(path: Path, hub: str, layout: Layout) -> Path:
    path.write_text(f"""kiosk_name = "sanh-a-01"
[hub]
mode = "remote"
base_url = "{hub}"
[updates]
install_root = "{layout.root}"
python = "{layout.python}"
shared_base = "{layout.shared_base}"
check_every_s = 1
bandwidth_kbps = 0
health_timeout_s = {HEALTH_S}
wait_for_app = false
min_free_mb = 0
""", encoding="utf-8")  # fmt: skip
    return path


def _wait(what: str, check: object, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():  # type: ignore[operator]
            return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def kiosk_and_hub(tmp_path: Path, wheels: Path) -> Iterator[tuple[AgentUnit, dict[str, str], Path]]:
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    env = {**os.environ, "KIOSK_HUB_DB": db, "KIOSK_HUB_KEY_FILE": str(tmp_path / "keys" / "hub.key"),
           "KIOSK_HUB_RELEASE_DIR": str(tmp_path / "hub-releases")}  # fmt: skip
    _hub_cli(env, "migrate")
    layout = Layout(tmp_path / "opt", tmp_path / "state" / "updates", base_python(), shared_base())
    _install_first(layout, wheels)
    with hub_process(db, env={k: env[k] for k in ("KIOSK_HUB_KEY_FILE", "KIOSK_HUB_RELEASE_DIR")}) as url:
        code = _hub_cli(env, "enrolment-code")["codes"][0]  # type: ignore[index]
        reply = httpx.post(f"{url}/fleet/v1/enrol", json={"code": code, "name": "sanh-a-01"}, timeout=20).json()
        save_credentials(tmp_path / "state" / "credentials.json", KioskCredentials(**{
            k: reply[k] for k in ("kiosk_id", "token", "config_public_key", "group_id", "release_public_key",
                                  "release_key_id")}, hub_url=url))  # fmt: skip
        for version in (N1, BROKEN):
            _hub_cli(env, "release", "add", str(slim_bundle(tmp_path / f"bundle-{version}", version, wheels)))
        unit = AgentUnit(layout.root, tmp_path / "state", _settings(tmp_path / "kiosk.toml", url, layout))
        unit.start()
        try:
            yield unit, env, layout.root
        finally:
            unit.stop()


def _group(env: dict[str, str]) -> dict[str, object]:
    groups = _hub_cli(env, "release", "list")["groups"]
    return groups[0]  # type: ignore[index,no-any-return]


@pytest.mark.slow
def test_n_to_n1_through_the_hub_then_a_release_that_crashes_is_rolled_back(
    kiosk_and_hub: tuple[AgentUnit, dict[str, str], Path],
) -> None:
    unit, env, root = kiosk_and_hub
    _hub_cli(env, "release", "rollout", "--group", "default", "--version", N1)
    took = _wait("the kiosk on N+1", lambda: _group(env)["versions"] == {N1: 1}, 180)
    assert guard.current_version(root) == N1
    assert _group(env)["rollout"]["phase"] == "done"  # type: ignore[index]
    assert (N, 75) in unit.starts  # the agent on N switched and asked to be started again
    print(f"N → N+1 through the hub in {took:.1f} s")

    _hub_cli(env, "release", "rollout", "--group", "default", "--version", BROKEN)
    _wait("the switch to the broken release", lambda: any(r == BROKEN for r, _ in unit.starts), 180)
    switched = time.monotonic()
    back = _wait("the rollback", lambda: _group(env)["rollout"]["phase"] == "halted", HEALTH_S + 30)  # type: ignore[index]
    print(f"broken release rolled back and reported {back:.1f} s after its first start")
    assert time.monotonic() - switched < HEALTH_S + 30
    assert guard.current_version(root) == N1
    crashes = [code for release, code in unit.starts if release == BROKEN]
    assert len(crashes) == guard.MAX_STARTS + 1 or len(crashes) >= guard.MAX_STARTS  # each start crashed
    assert all(code == 1 for code in crashes)
    assert any(f"rolled back {BROKEN} to {N1}" in said for said in unit.guard_said)
    history = _hub_cli(env, "release", "list")
    assert history["groups"][0]["versions"] == {N1: 1}  # type: ignore[index]
