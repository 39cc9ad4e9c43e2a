"""The update agent against a hub on loopback: what it refuses, each with a clear reason reported to the hub and
nothing switched (a tampered file, a release signed by another key, an expired manifest, an older version, another
platform, a full disk), and what it waits for (the maintenance window, the update lock, the app's READY)."""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from kiosk.remote_config.enrolment import KioskCredentials
from kiosk.updates import guard, lock
from kiosk.updates.agent import UpdateAgent, mark_app_ready
from kiosk.updates.download import Throttle, fetch_release
from kiosk.updates.install import Layout
from kiosk.updates.manifest import ReleaseManifest
from kiosk_hub.fleet.models import FleetKiosk
from kiosk_hub.releases import rollout
from kiosk_hub.releases.catalogue import ReleaseTerms, add_release
from kiosk_hub.releases.models import UpdateReport
from tests.updates.builds import manifest_for
from tests.updates.support import HubWorld, bundle, hub_world

WHEEL = os.urandom(300_000)
NAME = "vn_hospital_kiosk-{}-py3-none-any.whl"


@dataclass
class Kiosk:
    world: HubWorld
    credentials: KioskCredentials
    layout: Layout
    clients: list[httpx.Client] = field(default_factory=list)

    def agent(self, running: str = "0.1.0", **options: object) -> UpdateAgent:
        self.clients.append(self.world.client(self.credentials))
        return UpdateAgent(self.clients[-1], self.credentials, self.layout, running,
                           **options)  # type: ignore[arg-type]  # fmt: skip

    def reports(self) -> list[tuple[str, str, str]]:
        with self.world.hub.reader() as session:
            rows = session.scalars(select(UpdateReport).order_by(UpdateReport.id))
            return [(r.version, r.status, r.reason) for r in rows]


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    with hub_world(tmp_path / "hub") as world:
        credentials = world.enrol("sanh-a-01")
        layout = Layout(tmp_path / "opt", tmp_path / "state")
        (layout.releases / "0.1.0").mkdir(parents=True)
        guard.switch(layout.root, "0.1.0")
        found = Kiosk(world, credentials, layout)
        yield found
        for client in found.clients:
            client.close()


def offer(kiosk: Kiosk, version: str, terms: ReleaseTerms | None = None, **info: object) -> None:
    hub = kiosk.world.hub
    made = bundle(kiosk.layout.root.parent / f"bundle-{version}", version, {NAME.format(version): WHEEL}, **info)
    with hub.writer() as session:
        add_release(session, hub.config_keys, hub.settings.release_dir_path(), made, "t", hub.clock(),
                    terms or ReleaseTerms())  # fmt: skip
        group = session.get(FleetKiosk, kiosk.credentials.kiosk_id).group_id  # type: ignore[union-attr]
        rollout.start(session, group, version, "t", hub.clock())
        session.commit()


def assert_refused(kiosk: Kiosk, agent: UpdateAgent, reason: str) -> None:
    assert agent.step() == f"refused: {reason}"
    agent.step()  # the hub halted the rollout (its one kiosk failed): idle, or the same refusal, not said again
    refusals = [r for r in kiosk.reports() if r[1] == "refused"]
    assert len(refusals) == 1
    assert refusals[0][2].startswith(reason)
    assert guard.current_version(kiosk.layout.root) == "0.1.0"
    assert guard.read_json(kiosk.layout.state / guard.TRIAL) is None


def test_a_tampered_file_is_refused(kiosk: Kiosk) -> None:
    offer(kiosk, "0.2.0")
    on_hub = kiosk.world.hub.settings.release_dir_path() / "0.2.0" / NAME.format("0.2.0")
    on_hub.write_bytes(WHEEL[:-1] + bytes([WHEEL[-1] ^ 1]))
    assert_refused(kiosk, kiosk.agent(), "bad_hash")


def test_a_release_signed_by_another_key_is_refused(kiosk: Kiosk) -> None:
    offer(kiosk, "0.2.0")
    other = base64.b64encode(Ed25519PrivateKey.generate().public_key().public_bytes_raw()).decode()
    kiosk.credentials = kiosk.credentials.model_copy(update={"release_public_key": other})
    assert_refused(kiosk, kiosk.agent(), "bad_signature")


def test_an_expired_manifest_is_refused(kiosk: Kiosk) -> None:
    offer(kiosk, "0.2.0", ReleaseTerms(expires_days=1))
    later = datetime.now(UTC) + timedelta(days=2)  # the order (7 days) is still valid: the manifest is not
    assert_refused(kiosk, kiosk.agent(clock=lambda: later), "expired")


def test_an_older_version_is_refused_without_a_rollback_order(kiosk: Kiosk) -> None:
    offer(kiosk, "0.2.0")
    assert_refused(kiosk, kiosk.agent(running="0.3.0"), "not_newer")


def test_a_release_for_another_platform_is_refused(kiosk: Kiosk) -> None:
    offer(kiosk, "0.2.0", platform="riscv64")
    assert_refused(kiosk, kiosk.agent(), "other_platform")


def _tmpfs(path: Path, size: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (the test suite runs as root in CI)")
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)


def test_a_full_disk_is_refused_before_anything_is_switched(kiosk: Kiosk, tmp_path: Path) -> None:
    small = tmp_path / "small"
    _tmpfs(small, "8m")  # room for the download, not for an install (the wheels × 3 and a virtualenv)
    try:
        kiosk.layout = Layout(small / "opt", small / "state")
        (kiosk.layout.releases / "0.1.0").mkdir(parents=True)
        guard.switch(kiosk.layout.root, "0.1.0")
        offer(kiosk, "0.2.0")
        assert_refused(kiosk, kiosk.agent(), "disk_full")
        assert not (kiosk.layout.releases / "0.2.0").exists()
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)


def test_a_download_killed_midway_resumes_where_it_stopped(kiosk: Kiosk) -> None:
    offer(kiosk, "0.2.0")
    files = kiosk.layout.downloads("0.2.0")
    files.mkdir(parents=True)
    part = files / f"{NAME.format('0.2.0')}.part"
    part.write_bytes(WHEEL[:120_000])  # what a download cut by a power failure left on disk
    wheel_dir = kiosk.layout.root.parent / "bundle-0.2.0" / "wheels"
    manifest: ReleaseManifest = manifest_for("0.2.0", wheel_dir)
    with kiosk.world.client(kiosk.credentials) as http:
        fetched = fetch_release(http, manifest, files, Throttle(0))
    assert fetched == len(WHEEL) - 120_000  # only the rest came over the network
    assert (files / NAME.format("0.2.0")).read_bytes() == WHEEL


def test_the_bandwidth_cap_spreads_the_download() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    throttle = Throttle(100_000, sleep, lambda: now[0])
    for _ in range(10):
        throttle.took(65_536)
        now[0] += 0.01  # the network's own time for a chunk
    assert now[0] == pytest.approx(6.5536 + 0.01, abs=0.001)  # 655 kB at 100 kB/s


def test_it_switches_only_inside_the_window_and_when_no_patient_holds_the_lock(kiosk: Kiosk) -> None:
    offer(kiosk, "0.2.0")
    with kiosk.world.hub.writer() as session:
        group = session.get(FleetKiosk, kiosk.credentials.kiosk_id).group_id  # type: ignore[union-attr]
        rollout.set_windows(session, group, "12:00-13:00", "t", kiosk.world.hub.clock())
        session.commit()
    (kiosk.layout.releases / "0.2.0").mkdir()  # installed already (the install itself: test_upgrade.py)
    (kiosk.layout.releases / "0.2.0" / ".installed").write_text("{}")
    morning = datetime(2026, 12, 7, 9, 30).astimezone()
    noon = datetime(2026, 12, 7, 12, 10).astimezone()
    assert kiosk.agent(local_time=lambda: morning).step() == "waiting: outside the maintenance window"
    with lock.busy(kiosk.layout.state):  # a patient at the kiosk
        assert kiosk.agent(local_time=lambda: noon).step().startswith("waiting: a patient")
    assert guard.current_version(kiosk.layout.root) == "0.1.0"
    assert kiosk.agent(local_time=lambda: noon).step() == "switched"
    assert guard.current_version(kiosk.layout.root) == "0.2.0"
    assert [r[1] for r in kiosk.reports()] == ["downloaded"]


def test_on_trial_it_commits_only_once_the_app_is_ready(kiosk: Kiosk) -> None:
    (kiosk.layout.releases / "0.2.0").mkdir()
    kiosk.agent().switch_to("0.2.0")
    agent = kiosk.agent(running="0.2.0", wait_for_app=True, health_seconds=3, sleep=lambda _s: None)
    trial = guard.read_json(kiosk.layout.state / guard.TRIAL)
    assert trial is not None
    assert agent.unhealthy(float(trial["switched_at"])) == "the kiosk has not reached its home screen"
    mark_app_ready(kiosk.layout.state, "0.2.0", {"printer": "ok", "chip_reader": "ok"})
    assert agent.settle_trial() == "committed"
    agent.report_outcome()
    assert kiosk.reports()[-1][:2] == ("0.2.0", "installed")
    assert guard.read_json(kiosk.layout.state / guard.TRIAL) is None


def test_on_trial_an_app_that_never_gets_ready_is_rolled_back_with_the_reason(kiosk: Kiosk) -> None:
    (kiosk.layout.releases / "0.2.0").mkdir()
    kiosk.agent().switch_to("0.2.0")
    agent = kiosk.agent(running="0.2.0", wait_for_app=True, sleep=lambda _s: None)
    trial = guard.read_json(kiosk.layout.state / guard.TRIAL)
    assert trial is not None
    guard.write_json(kiosk.layout.state / guard.TRIAL, {**trial, "health_seconds": 0.5})
    assert agent.settle_trial() == "rolled_back"
    assert guard.current_version(kiosk.layout.root) == "0.1.0"
    kiosk.agent().report_outcome()  # the previous release, started again, says what happened
    version, status, reason = kiosk.reports()[-1]
    assert (version, status) == ("0.2.0", "rolled_back")
    assert "has not reached its home screen" in reason
    offer(kiosk, "0.2.0")
    with kiosk.world.hub.writer() as session:  # pinned: the hub keeps offering it whatever the rollout says
        rollout.pin(session, kiosk.credentials.kiosk_id, "0.2.0", "t", kiosk.world.hub.clock())
        session.commit()
    assert kiosk.agent().step() == "skipped: 0.2.0 was rolled back here"  # never tried again by itself


def test_the_kiosk_holds_the_update_lock_only_while_busy(tmp_path: Path) -> None:
    holder = lock.LockHolder(tmp_path)
    holder.follow(True)  # a patient at the kiosk (the app follows session, print and journal from its loop)
    with lock.quiet_moment(tmp_path) as quiet:
        assert quiet is False
    holder.follow(False)
    with lock.quiet_moment(tmp_path) as quiet:
        assert quiet is True
        assert not holder.held
