"""The admin console over HTTP: login, roles, CSRF, session expiry, the schema-driven editor, audit, languages."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select

from kiosk_hub.access.roles import Role
from kiosk_hub.access.sessions import IDLE_LIFETIME
from kiosk_hub.fleet.models import AuditEntry, ConfigVersion, ConsoleUser
from tests.fleet.conftest import FleetHub
from tests.fleet.console_client import PASSWORD, add_console_user, csrf_of, editor_form, log_in, post_form


@pytest.fixture
async def admin(fleet: FleetHub) -> httpx.AsyncClient:
    add_console_user(fleet.hub, "it-admin", Role.ADMIN)
    response = await log_in(fleet.client, "it-admin")
    assert response.headers["location"] == "/fleet"
    return fleet.client


async def test_login_with_a_wrong_password_fails_and_the_hash_is_argon2(fleet: FleetHub) -> None:
    add_console_user(fleet.hub, "it-admin", Role.ADMIN)
    response = await log_in(fleet.client, "it-admin", "wrong-password")
    assert response.headers["location"] == "/fleet/login?failed=1"
    assert (await fleet.client.get("/fleet")).headers["location"].startswith("/fleet/login")
    with fleet.hub.reader() as session:
        user = session.get(ConsoleUser, "it-admin")
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


async def test_saving_from_the_editor_stores_a_new_version_and_audits_it(
    admin: httpx.AsyncClient, fleet: FleetHub
) -> None:
    page = await admin.get("/fleet/config")
    assert 'name="idle.screen_seconds" value=""' in page.text  # unset: each kiosk keeps its own timers
    assert 'type="number" name="idle.screen_seconds" value="" min="10" max="600"' in page.text
    form = editor_form(page.text)
    form["idle.screen_seconds"] = "75"
    form["comment"] = "sảnh A chậm hơn"
    saved = await admin.post("/fleet/config", data=form)
    assert saved.headers["location"] == "/fleet/config?saved=1"
    with fleet.hub.reader() as session:
        row = session.get(ConfigVersion, 1)
        assert row is not None
        assert '"screen_seconds": 75' in row.config
        assert row.created_by == "it-admin"
        actions = [e.action for e in session.scalars(select(AuditEntry))]
    assert "config.save" in actions


async def test_an_invalid_config_is_shown_back_with_the_field_named(admin: httpx.AsyncClient) -> None:
    form = editor_form((await admin.get("/fleet/config")).text)
    form["idle.screen_seconds"] = "3"
    refused = await admin.post("/fleet/config", data=form)
    assert refused.status_code == 422
    assert "idle.screen_seconds" in refused.text
    assert (await admin.get("/fleet/config")).text.count("/fleet/config?base=") == 0


async def test_a_post_without_the_right_csrf_token_is_refused(admin: httpx.AsyncClient, fleet: FleetHub) -> None:
    form = editor_form((await admin.get("/fleet/config")).text)
    form["csrf"] = "forged"
    refused = await admin.post("/fleet/config", data=form)
    assert refused.status_code == 403
    assert 'data-key="error.csrf"' in refused.text
    del form["csrf"]
    assert (await admin.post("/fleet/config", data=form)).status_code == 403
    with fleet.hub.reader() as session:
        assert session.scalars(select(ConfigVersion)).first() is None


async def test_login_itself_needs_its_csrf_token(fleet: FleetHub) -> None:
    add_console_user(fleet.hub, "it-admin", Role.ADMIN)
    response = await fleet.client.post("/fleet/login", data={"username": "it-admin", "password": PASSWORD})
    assert response.status_code == 403


async def test_a_viewer_sees_everything_and_changes_nothing(fleet: FleetHub) -> None:
    add_console_user(fleet.hub, "xem", Role.VIEWER)
    await log_in(fleet.client, "xem")
    page = await fleet.client.get("/fleet/config")
    assert page.status_code == 200
    assert 'id="save-config"' not in page.text
    form = {**editor_form(page.text), "csrf": csrf_of(page.text)}
    for url, data in [
        ("/fleet/config", form),
        ("/fleet/enrol", {"csrf": form["csrf"]}),
        ("/fleet/groups", {"csrf": form["csrf"], "name": "x"}),
        ("/fleet/rollouts", {"csrf": form["csrf"], "group_id": "x", "version": "1"}),
    ]:
        refused = await fleet.client.post(url, data=data)
        assert refused.status_code == 403, url
        assert 'data-key="error.forbidden"' in refused.text
    with fleet.hub.reader() as session:
        assert session.scalars(select(ConfigVersion)).first() is None
        changes = [e.action for e in session.scalars(select(AuditEntry)) if e.action != "user.login"]
    assert changes == ["user.added"]


async def test_an_idle_session_expires_and_a_made_up_cookie_is_refused(
    admin: httpx.AsyncClient, fleet: FleetHub
) -> None:
    assert (await admin.get("/fleet")).status_code == 200
    fleet.clock.advance(IDLE_LIFETIME.total_seconds() + 1)
    expired = await admin.get("/fleet")
    assert expired.headers["location"] == "/fleet/login?expired=1"
    admin.cookies.set("kh_console", "made-up-token", domain="hub.test", path="/fleet")
    assert (await admin.get("/fleet/audit")).status_code == 303
    refused = await admin.post("/fleet/enrol", data={"csrf": "anything"})
    assert refused.headers["location"].startswith("/fleet/login")


async def test_logout_ends_the_session(admin: httpx.AsyncClient) -> None:
    cookie = admin.cookies.get("kh_console")
    await post_form(admin, "/fleet", "/fleet/logout", {})
    admin.cookies.set("kh_console", cookie or "", domain="hub.test", path="/fleet")
    assert (await admin.get("/fleet")).status_code == 303


async def test_the_console_speaks_vietnamese_first_and_english_on_request(admin: httpx.AsyncClient) -> None:
    assert "Danh sách ki-ốt" in (await admin.get("/fleet")).text
    await admin.get("/fleet/lang/en")
    assert "Fleet" in (await admin.get("/fleet")).text


async def test_an_enrolment_code_is_shown_once_and_not_audited(admin: httpx.AsyncClient, fleet: FleetHub) -> None:
    page = await post_form(admin, "/fleet/enrol", "/fleet/enrol", {"group_id": ""})
    code = page.text.split('id="enrolment-code"')[1].split(">")[1].split("<")[0]
    assert len(code) == 14
    assert page.headers["cache-control"] == "no-store"
    assert code not in (await admin.get("/fleet/audit")).text


async def test_text_from_a_config_is_escaped_in_the_editor(admin: httpx.AsyncClient) -> None:
    form = editor_form((await admin.get("/fleet/config")).text)
    form["ticket.header_vi"] = '"><script>alert(1)</script>'
    assert (await admin.post("/fleet/config", data=form)).status_code == 303
    page = (await admin.get("/fleet/config")).text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


async def test_a_version_1_document_opens_in_the_editor_as_what_it_meant(
    admin: httpx.AsyncClient, fleet: FleetHub
) -> None:
    # Saved by a hub before "unset" existed: the printer at version 1's default meant "each kiosk's own printer".
    version_1 = {"schema_version": 1, "printer": {"uri": "usb://auto"}, "idle": {"screen_seconds": 90}}
    with fleet.hub.writer() as session:
        session.add(
            ConfigVersion(
                version=1,
                config=json.dumps(version_1),
                comment="",
                created_by="it-admin",
                created_at=fleet.clock(),
            )
        )
        session.commit()
    page = await admin.get("/fleet/config")
    assert 'name="printer.uri" value=""' in page.text  # unset, not "usb://auto" for every kiosk
    assert 'type="number" name="idle.screen_seconds" value="90"' in page.text
    saved = await admin.post("/fleet/config", data=editor_form(page.text))
    assert saved.headers["location"] == "/fleet/config?saved=2"
    with fleet.hub.reader() as session:
        row = session.get(ConfigVersion, 2)
        assert row is not None
        resaved = json.loads(row.config)
    assert resaved["schema_version"] == 3
    assert resaved["printer"]["uri"] is None
    assert resaved["idle"] == {"screen_seconds": 90, "wipe_after_warning_seconds": 20}
