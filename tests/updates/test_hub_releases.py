"""The hub's side of releases over real HTTP on loopback: a bundle becomes a signed release, only enrolled kiosks
get its files (resumable), and each kiosk is told which release to run as its group's rollout moves: canaries
first, wider when they run it, halted past the failure threshold, paused, rolled back (a signed rollback order),
pinned."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from kiosk.remote_config.signature import load_public_key
from kiosk.updates.manifest import ServedRelease, open_served
from kiosk_hub.fleet.models import FleetKiosk, RolloutPhase
from kiosk_hub.releases import rollout
from kiosk_hub.releases.catalogue import ReleaseAddError, add_release
from kiosk_hub.releases.models import Release
from tests.updates.support import HubWorld, bundle, hub_world

WHEEL = bytes(range(256)) * 400  # 100 kB


@pytest.fixture
def world(tmp_path: Path) -> Iterator[HubWorld]:
    with hub_world(tmp_path) as found:
        yield found


def _add(world: HubWorld, tmp: Path, version: str) -> Release:
    made = bundle(tmp / f"b-{version}", version, {f"vn_hospital_kiosk-{version}-py3-none-any.whl": WHEEL})
    with world.hub.writer() as session:
        release = add_release(session, world.hub.config_keys, world.hub.settings.release_dir_path(), made, "t",
                              world.hub.clock())  # fmt: skip
        session.commit()
    return release


def _roll_out(world: HubWorld, version: str, *, canary: str | None = None) -> str:
    with world.hub.writer() as session:
        if canary is not None:
            session.get(FleetKiosk, canary).canary = True  # type: ignore[union-attr]
        group = session.scalars(select(FleetKiosk.group_id)).first()
        assert group is not None
        rollout.start(session, group, version, "t", world.hub.clock())
        session.commit()
    return group


def _served(world: HubWorld, credentials) -> tuple[str, bool] | None:  # type: ignore[no-untyped-def]
    with world.client(credentials) as http:
        answer = http.get("/fleet/v1/release")
    if answer.status_code == 204:
        return None
    served = ServedRelease.model_validate_json(answer.content)
    manifest, order = open_served(served, credentials.kiosk_id, credentials.release_key_id,
                                  load_public_key(credentials.release_public_key), world.hub.clock())  # fmt: skip
    return manifest.version, order.rollback


def test_a_bundle_becomes_a_signed_release_served_whole_or_in_ranges(world: HubWorld, tmp_path: Path) -> None:
    _add(world, tmp_path, "0.2.0")
    with pytest.raises(ReleaseAddError, match="release_exists"):
        _add(world, tmp_path, "0.2.0")
    kiosk = world.enrol("sanh-a-01")
    assert kiosk.release_key_id == world.enrol("sanh-a-02").release_key_id  # one release key, pinned by each
    assert _served(world, kiosk) is None  # no rollout yet: nothing to run
    _roll_out(world, "0.2.0")
    assert _served(world, kiosk) == ("0.2.0", False)
    name = "/fleet/v1/releases/0.2.0/files/vn_hospital_kiosk-0.2.0-py3-none-any.whl"
    with world.client(kiosk) as http:
        whole = http.get(name)
        tail = http.get(name, headers={"Range": "bytes=60000-"})
        assert http.get("/fleet/v1/releases/0.2.0/files/..%2F..%2Fhub.sqlite3").status_code == 404
        assert http.get("/fleet/v1/releases/0.2.0/files/other.whl").status_code == 404
    assert whole.status_code == 200
    assert hashlib.sha256(whole.content).hexdigest() == hashlib.sha256(WHEEL).hexdigest()
    assert tail.status_code == 206
    assert tail.content == WHEEL[60000:]
    assert httpx.get(world.url + name, timeout=20).status_code == 401  # enrolled kiosks only


def test_the_release_key_is_not_the_configuration_key(world: HubWorld) -> None:
    kiosk = world.enrol("sanh-a-01")
    assert kiosk.release_public_key != kiosk.config_public_key


def _report(world: HubWorld, credentials, version: str, status: str, reason: str = "") -> None:  # type: ignore[no-untyped-def]
    with world.client(credentials) as http:
        answer = http.post("/fleet/v1/release/report", json={"version": version, "status": status, "reason": reason})
    assert answer.status_code == 204, answer.text


def _phase(world: HubWorld, group: str) -> str:
    with world.hub.reader() as session:
        current = rollout.current(session, group)
        assert current is not None
        return current.phase + (" paused" if current.paused else "")


def test_canaries_first_then_everyone_then_done(world: HubWorld, tmp_path: Path) -> None:
    _add(world, tmp_path, "0.2.0")
    canary, other = world.enrol("canary"), world.enrol("other")
    group = _roll_out(world, "0.2.0", canary=canary.kiosk_id)
    assert _served(world, canary) == ("0.2.0", False)
    assert _served(world, other) is None  # the group ran no release before: the others keep theirs
    _report(world, canary, "0.2.0", "installed")
    assert _phase(world, group) == RolloutPhase.WIDE
    assert _served(world, other) == ("0.2.0", False)
    _report(world, other, "0.2.0", "installed")
    assert _phase(world, group) == RolloutPhase.DONE


def test_failures_past_the_threshold_halt_and_a_rollback_is_signed_as_one(world: HubWorld, tmp_path: Path) -> None:
    _add(world, tmp_path, "0.2.0")
    _add(world, tmp_path, "0.3.0")
    kiosks = [world.enrol(f"k-{i}") for i in range(3)]
    group = _roll_out(world, "0.2.0")  # no canaries: wide at once
    for kiosk in kiosks:
        _report(world, kiosk, "0.2.0", "installed")
    with world.hub.writer() as session:
        rollout.start(session, group, "0.3.0", "t", world.hub.clock())
        session.commit()
    _report(world, kiosks[0], "0.3.0", "rolled_back", "did not prove healthy (started 3 times)")
    assert _phase(world, group) == RolloutPhase.HALTED  # 1 of 3 > 20 %
    assert _served(world, kiosks[1]) == ("0.2.0", False)  # nobody else gets 0.3.0
    _report(world, kiosks[1], "0.3.0", "installed")  # one that got it before the halt
    with world.hub.writer() as session:
        rollout.roll_back(session, group, "t", world.hub.clock(), "0.2.0")
        session.commit()
    assert _served(world, kiosks[1]) == ("0.2.0", True)  # older than what it runs: a signed rollback order


def test_pause_resume_and_a_pin(world: HubWorld, tmp_path: Path) -> None:
    _add(world, tmp_path, "0.2.0")
    _add(world, tmp_path, "0.3.0")
    first, pinned = world.enrol("first"), world.enrol("pinned")
    group = _roll_out(world, "0.2.0")
    with world.hub.writer() as session:
        rollout.set_paused(session, group, True, "t", world.hub.clock())
        rollout.pin(session, pinned.kiosk_id, "0.3.0", "t", world.hub.clock())
        session.commit()
    assert _phase(world, group) == "wide paused"
    assert _served(world, first) is None  # paused: nobody new starts it
    assert _served(world, pinned) == ("0.3.0", False)
    with world.hub.writer() as session:
        rollout.set_paused(session, group, False, "t", world.hub.clock())
        session.commit()
    assert _served(world, first) == ("0.2.0", False)
