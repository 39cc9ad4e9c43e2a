"""User management in the console (admins) and on the command line: add, list, disable, new password, new role,
staff places and names; a user changes their own password. Minimum length stated in the refusal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from kiosk_hub.access.models import StaffAssignment
from kiosk_hub.access.roles import Role
from kiosk_hub.fleet.models import AuditEntry, ConsoleSession, ConsoleUser
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.fleet.conftest import FleetHub
from tests.fleet.console_client import PASSWORD, add_console_user, log_in, post_form
from tests.hub.conftest import seed
from tests.hub.servers import REPO

NEW_PASSWORD = "một-mật-khẩu-mới-đủ-dài"


@pytest.fixture
async def admin(fleet: FleetHub) -> httpx.AsyncClient:
    add_console_user(fleet.hub, "it-admin", Role.ADMIN)
    assert (await log_in(fleet.client, "it-admin")).headers["location"] == "/fleet"
    return fleet.client


def other_client(fleet: FleetHub) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=fleet.app), base_url="http://hub.test")


def user_row(fleet: FleetHub, username: str) -> ConsoleUser | None:
    with fleet.hub.reader() as session:
        return session.get(ConsoleUser, username)


async def test_an_admin_adds_users_and_a_short_password_is_refused_with_the_rule(
    admin: httpx.AsyncClient, fleet: FleetHub
) -> None:
    short = await post_form(admin, "/fleet/users", "/fleet/users", {"username": "bs-lan", "role": "staff",
                                                                    "password": "ngắn"})  # fmt: skip
    assert short.status_code == 422
    assert "ít nhất 10 ký tự" in short.text
    assert user_row(fleet, "bs-lan") is None
    added = await post_form(admin, "/fleet/users", "/fleet/users", {"username": "bs-lan", "role": "staff",
                                                                    "password": PASSWORD})  # fmt: skip
    assert added.status_code == 303
    row = user_row(fleet, "bs-lan")
    assert row is not None
    assert (row.role, row.disabled, row.may_see_names) == ("staff", False, False)
    page = await admin.get("/fleet/users")
    assert 'id="user-bs-lan"' in page.text
    assert PASSWORD not in page.text
    taken = await post_form(admin, "/fleet/users", "/fleet/users", {"username": "bs-lan", "role": "viewer",
                                                                    "password": PASSWORD})  # fmt: skip
    assert (taken.status_code, 'data-key="username_taken"' in taken.text) == (422, True)


async def test_staff_get_places_and_names_and_lose_them_with_the_role(
    admin: httpx.AsyncClient, fleet: FleetHub
) -> None:
    add_console_user(fleet.hub, "bs-lan", Role.STAFF)
    from tests.hub.conftest import seed

    seed(fleet.hub)
    for place in ("NOI", "KKB/KKB-01"):
        answer = await post_form(admin, "/fleet/users", "/fleet/users/bs-lan/places", {"place": place})
        assert answer.status_code == 303, answer.text
    wrong_room = await post_form(admin, "/fleet/users", "/fleet/users/bs-lan/places", {"place": "NOI/KKB-01"})
    assert 'data-key="unknown_room"' in wrong_room.text
    await post_form(admin, "/fleet/users", "/fleet/users/bs-lan/names", {"may_see_names": "1"})
    with fleet.hub.reader() as session:
        places = session.execute(select(StaffAssignment.department_id, StaffAssignment.room_id)).all()
    assert sorted(places, key=str) == sorted([("NOI", None), ("KKB", "KKB-01")], key=str)
    row = user_row(fleet, "bs-lan")
    assert row is not None
    assert row.may_see_names
    await post_form(admin, "/fleet/users", "/fleet/users/bs-lan/places", {"place": "NOI", "remove": "1"})
    await post_form(admin, "/fleet/users", "/fleet/users/bs-lan/role", {"role": "viewer"})
    row = user_row(fleet, "bs-lan")
    assert row is not None
    assert (row.role, row.may_see_names) == ("viewer", False)
    with fleet.hub.reader() as session:
        assert session.scalars(select(StaffAssignment)).all() == []
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.target == "bs-lan"))]
    assert actions == ["user.added", "user.assigned", "user.assigned", "user.names_shown", "user.unassigned",
                       "user.role_changed"]  # fmt: skip


async def test_disabling_a_user_signs_them_out_at_once(admin: httpx.AsyncClient, fleet: FleetHub) -> None:
    add_console_user(fleet.hub, "xem", Role.VIEWER)
    async with other_client(fleet) as viewer:
        await log_in(viewer, "xem")
        assert (await viewer.get("/fleet")).status_code == 200
        assert (await viewer.get("/fleet/users")).status_code == 403  # viewers do not manage users
        disabled = await post_form(admin, "/fleet/users", "/fleet/users/xem/disabled", {"disabled": "1"})
        assert disabled.status_code == 303
        assert (await viewer.get("/fleet")).headers["location"] == "/fleet/login?expired=1"
        assert (await log_in(viewer, "xem")).headers["location"] == "/fleet/login?failed=1"
        await post_form(admin, "/fleet/users", "/fleet/users/xem/disabled", {"disabled": "0"})
        assert (await log_in(viewer, "xem")).headers["location"] == "/fleet"
    refused = await post_form(admin, "/fleet/users", "/fleet/users/it-admin/disabled", {"disabled": "1"})
    assert 'data-key="cannot_disable_self"' in refused.text


async def test_an_admin_sets_a_password_and_the_old_sessions_end(admin: httpx.AsyncClient, fleet: FleetHub) -> None:
    add_console_user(fleet.hub, "xem", Role.VIEWER)
    async with other_client(fleet) as viewer:
        await log_in(viewer, "xem")
        short = await post_form(admin, "/fleet/users", "/fleet/users/xem/password", {"password": "123"})
        assert "at least 10 characters" in short.text or "ít nhất 10 ký tự" in short.text
        await post_form(admin, "/fleet/users", "/fleet/users/xem/password", {"password": NEW_PASSWORD})
        assert (await viewer.get("/fleet")).headers["location"] == "/fleet/login?expired=1"
        assert (await log_in(viewer, "xem", PASSWORD)).headers["location"] == "/fleet/login?failed=1"
        assert (await log_in(viewer, "xem", NEW_PASSWORD)).headers["location"] == "/fleet"


async def test_a_user_changes_their_own_password(fleet: FleetHub) -> None:
    add_console_user(fleet.hub, "xem", Role.VIEWER)
    client = fleet.client
    await log_in(client, "xem")
    form = {"password": "wrong-current-pw", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    wrong = await post_form(client, "/fleet/account", "/fleet/account/password", form)
    assert (wrong.status_code, 'data-key="account.wrong_password"' in wrong.text) == (422, True)
    short = await post_form(client, "/fleet/account", "/fleet/account/password",
                            {"password": PASSWORD, "new_password": "short", "new_password_again": "short"})  # fmt: skip
    assert "10" in short.text
    assert 'data-key="account.too_short"' in short.text
    changed = await post_form(client, "/fleet/account", "/fleet/account/password",
                              {**form, "password": PASSWORD})  # fmt: skip
    assert changed.headers["location"] == "/fleet/login"
    with fleet.hub.reader() as session:
        assert session.scalars(select(ConsoleSession).where(ConsoleSession.username == "xem")).all() == []
    assert (await log_in(client, "xem", NEW_PASSWORD)).headers["location"] == "/fleet"


def hub_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk_hub.cli", *args], input=stdin, cwd=REPO, text=True,
                          capture_output=True, timeout=60, check=False)  # fmt: skip


@pytest.mark.slow
def test_the_command_line_manages_users(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(db)
    hub = build_hub(HubSettings(database_url=db))
    seed(hub)
    hub.engine.dispose()
    short = hub_cli("admin", "add", "bs-lan", "--role", "staff", "--db", db, stdin="short\n")
    assert short.returncode == 1
    assert json.loads(short.stderr) == {"error": "password_too_short",
                                        "message": "the password needs at least 10 characters"}  # fmt: skip
    for args, stdin in (
        (("admin", "add", "bs-lan", "--role", "staff"), PASSWORD + "\n"),
        (("admin", "assign", "bs-lan", "NOI", "--room", "NOI-01"), ""),
        (("admin", "names", "bs-lan", "on"), ""),
        (("admin", "add", "xem"), PASSWORD + "\n"),
        (("admin", "disable", "xem"), ""),
        (("admin", "password", "bs-lan"), NEW_PASSWORD + "\n"),
        (("admin", "role", "xem", "admin"), ""),
        (("admin", "unlock", "bs-lan"), ""),
    ):
        done = hub_cli(*args, "--db", db, stdin=stdin)
        assert done.returncode == 0, (args, done.stderr)
    listed = json.loads(hub_cli("admin", "list", "--db", db).stdout)["users"]
    assert listed == [
        {"username": "bs-lan", "role": "staff", "disabled": False, "may_see_names": True,
         "places": [{"department": "NOI", "room": "NOI-01"}]},
        {"username": "xem", "role": "admin", "disabled": True, "may_see_names": False, "places": []},
    ]  # fmt: skip
    unknown = hub_cli("admin", "assign", "bs-lan", "KHONG-CO", "--db", db)
    assert (unknown.returncode, json.loads(unknown.stderr)["error"]) == (1, "unknown_department")
    assert PASSWORD not in (hub_cli("admin", "list", "--db", db).stdout)
