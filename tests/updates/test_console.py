"""The console's software-update pages over real HTTP: an admin rolls a release out, pauses it, sets the group's
maintenance windows (a bad one is said in both languages), pins a kiosk and reads its update history with the
failure reasons; a viewer reads the same pages and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from kiosk_hub.access.roles import Role
from kiosk_hub.releases import rollout
from kiosk_hub.releases.catalogue import add_release
from tests.fleet.console_client import PASSWORD, add_console_user, csrf_of
from tests.updates.support import HubWorld, bundle, hub_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[HubWorld]:
    with hub_world(tmp_path) as found:
        add_console_user(found.hub, "it-admin", Role.ADMIN)
        add_console_user(found.hub, "xem", Role.VIEWER)
        for version in ("0.2.0", "0.3.0"):
            made = bundle(tmp_path / version, version, {f"vn_hospital_kiosk-{version}-py3-none-any.whl": b"w" * 999})
            with found.hub.writer() as session:
                add_release(session, found.hub.config_keys, found.hub.settings.release_dir_path(), made, "t",
                            found.hub.clock())  # fmt: skip
                session.commit()
        yield found


@contextmanager
def _signed_in(world: HubWorld, username: str, lang: str = "vi") -> Iterator[httpx.Client]:
    with httpx.Client(base_url=world.url, timeout=20) as client:
        client.get(f"/fleet/lang/{lang}")
        page = client.get("/fleet/login")
        form = {"csrf": csrf_of(page.text), "username": username, "password": PASSWORD}
        assert client.post("/fleet/login", data=form).status_code == 303
        yield client


def _post(client: httpx.Client, page: str, action: str, **form: str) -> httpx.Response:
    return client.post(action, data={"csrf": csrf_of(client.get(page).text), **form})


def test_an_admin_rolls_out_pauses_and_sets_windows(world: HubWorld) -> None:
    kiosk = world.enrol("sanh-a-01")
    with _signed_in(world, "it-admin") as admin:
        page = admin.get("/fleet/releases")
        assert "Cập nhật phần mềm ki-ốt" in page.text
        assert "Chưa cập nhật" in page.text
        group = kiosk.group_id
        assert (
            _post(admin, "/fleet/releases", "/fleet/releases/rollouts", group_id=group, version="0.2.0").status_code
            == 303
        )
        assert "Toàn nhóm" in admin.get("/fleet/releases").text  # no canaries: the whole group at once
        _post(admin, "/fleet/releases", f"/fleet/releases/{group}/pause")
        assert "đang tạm dừng" in admin.get("/fleet/releases").text
        _post(admin, "/fleet/releases", f"/fleet/releases/{group}/windows", windows="12:00-13:00, 17:00-23:59")
        assert "12:00-13:00, 17:00-23:59" in admin.get("/fleet/releases").text
        bad = _post(admin, "/fleet/releases", f"/fleet/releases/{group}/windows", windows="25:00-26:00")
        said = admin.get(bad.headers["location"]).text
        assert "Khung giờ không hợp lệ / not a time window" in said
    with world.hub.reader() as session:
        current = rollout.current(session, group)
        assert current is not None
        assert (current.version, current.paused) == ("0.2.0", True)
        assert rollout.windows_of(session, group) == ["12:00-13:00", "17:00-23:59"]


def test_a_kiosks_history_shows_failure_reasons_and_its_pin(world: HubWorld) -> None:
    kiosk = world.enrol("sanh-a-01")
    with world.client(kiosk) as http:
        http.post("/fleet/v1/release/report", json={"version": "0.3.0", "status": "rolled_back",
                                                      "reason": "did not prove healthy (started 3 times)"})  # fmt: skip
    page = f"/fleet/releases/kiosks/{kiosk.kiosk_id}"
    with _signed_in(world, "it-admin", "en") as admin:
        history = admin.get(page).text
        assert "Rolled back" in history
        assert "did not prove healthy (started 3 times)" in history
        _post(admin, page, f"{page}/pin", version="0.2.0")
        assert 'id="pinned">0.2.0' in admin.get(page).text
    with _signed_in(world, "xem") as viewer:
        assert "did not prove healthy" in viewer.get(page).text
        assert 'id="pin"' not in viewer.get(page).text  # no form for a viewer
        refused = viewer.post(f"{page}/pin", data={"csrf": csrf_of(viewer.get("/fleet/account").text), "version": ""})
        assert refused.status_code == 403
