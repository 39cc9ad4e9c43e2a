"""The console as IT meets it going live: a fresh hub's home page says what is missing until it is done; a first visit
is not "session expired"; restart, rollback and revoke ask first; times are Vietnam's; a kiosk that lost contact
shows its devices as unknown; the history shows the configuration version the kiosk runs; the editor speaks the
page's language, field by field."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from kiosk.remote_config.schema import RemoteConfig, remote_config_json_schema
from kiosk_hub.access.roles import Role
from kiosk_hub.catalogue import store
from kiosk_hub.catalogue.records import DepartmentRecord
from kiosk_hub.fleet import configs, rollout
from kiosk_hub.fleet.console import editor_words, schema_form
from kiosk_hub.fleet.enrolment import default_group
from kiosk_hub.fleet.models import FleetKiosk, RemoteAction
from kiosk_hub.his.demo_people import demo_people
from kiosk_hub.his.demo_seed import seed_patients
from tests.fleet.conftest import FleetHub, enrolled_kiosk
from tests.fleet.console_client import add_console_user, editor_form, log_in, post_form


@pytest.fixture
async def admin(fleet: FleetHub) -> httpx.AsyncClient:
    add_console_user(fleet.hub, "it-admin", Role.ADMIN)
    await log_in(fleet.client, "it-admin")
    return fleet.client


def gaps(html: str) -> list[str]:
    return re.findall(r'data-gap="(\w+)"', html)


async def test_a_fresh_hub_says_what_is_missing_until_each_is_done(
    admin: httpx.AsyncClient, fleet: FleetHub, tmp_kiosks: Path
) -> None:
    home = await admin.get("/fleet")
    assert gaps(home.text) == [
        "no_departments", "one_user", "no_kiosk", "no_configuration", "tls_off", "his_builtin", "bhxh_not_set_up",
    ]  # fmt: skip
    assert "Chưa có khoa nào hiện trên ki-ốt." in home.text
    with fleet.hub.writer() as session:
        record = DepartmentRecord(id="NOI", name_vi="Khoa Nội", opening_hours="T2-T6 07:00-16:30")  # type: ignore[arg-type]
        store.save_department(session, record, "it-admin", fleet.clock(), new=True)
        seed_patients(session, demo_people()[:1])
        session.commit()
    add_console_user(fleet.hub, "xem", Role.VIEWER)
    await enrolled_kiosk(fleet, tmp_kiosks, "sanh-a")
    form = editor_form((await admin.get("/fleet/config")).text)
    assert (await admin.post("/fleet/config", data=form)).status_code == 303
    now = await admin.get("/fleet")
    assert gaps(now.text) == ["tls_off", "demo_data", "his_builtin", "bhxh_not_set_up"]
    # Over HTTPS (here the ASGI scheme; behind HAProxy, its X-Forwarded-Proto) TLS is no longer missing.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fleet.app), base_url="https://hub.test") as tls:
        tls.cookies = admin.cookies
        assert "tls_off" not in gaps((await tls.get("/fleet")).text)


async def test_a_first_visit_is_not_an_expired_session(fleet: FleetHub) -> None:
    first = await fleet.client.get("/fleet", follow_redirects=True)
    assert str(first.url) == "http://hub.test/fleet/login"
    assert "hết hạn" not in first.text  # "session expired"


async def test_restart_rollback_and_revoke_ask_first(
    admin: httpx.AsyncClient, fleet: FleetHub, tmp_kiosks: Path
) -> None:
    kiosk = await enrolled_kiosk(fleet, tmp_kiosks, "sanh-a")
    page = f"/fleet/kiosks/{kiosk.credentials.kiosk_id}"
    asked = await post_form(admin, page, f"{page}/actions", {"kind": "restart"})
    assert asked.status_code == 200
    assert "Khởi động lại ki-ốt sanh-a?" in asked.text
    assert _actions(fleet) == []
    done = await post_form(admin, page, f"{page}/actions", {"kind": "restart", "confirmed": "1"})
    assert (done.status_code, _actions(fleet)) == (303, ["restart"])
    printed = await post_form(admin, page, f"{page}/actions", {"kind": "test_print"})  # nothing to interrupt
    assert (printed.status_code, _actions(fleet)) == (303, ["restart", "test_print"])

    asked = await post_form(admin, page, f"{page}/revoke", {})
    assert "Thu hồi ki-ốt sanh-a?" in asked.text
    assert (await kiosk.sender.beat_once()) is not None  # still served
    await post_form(admin, page, f"{page}/revoke", {"confirmed": "1"})
    with pytest.raises(httpx.HTTPStatusError):
        await kiosk.sender.beat_once()

    with fleet.hub.writer() as session:
        group = default_group(session, fleet.clock()).id
        for comment in ("v1", "v2"):
            version = configs.save_version(
                session, RemoteConfig().model_dump(mode="json"), "it", fleet.clock(), comment
            )
            session.flush()
            rollout.start(session, group, version, "it", fleet.clock())
        session.commit()
    asked = await post_form(admin, "/fleet/rollouts", f"/fleet/rollouts/{group}/rollback", {})
    assert "Quay lại cấu hình trước cho cả nhóm default?" in asked.text
    with fleet.hub.reader() as session:
        assert rollout.current_rollout(session, group).version == 2  # type: ignore[union-attr]
    await post_form(admin, "/fleet/rollouts", f"/fleet/rollouts/{group}/rollback", {"confirmed": "1"})
    with fleet.hub.reader() as session:
        assert rollout.current_rollout(session, group).is_rollback  # type: ignore[union-attr]


def _actions(fleet: FleetHub) -> list[str]:
    with fleet.hub.reader() as session:
        return [
            a.kind for a in session.scalars(select(RemoteAction).order_by(RemoteAction.requested_at, RemoteAction.kind))
        ]


async def test_devices_turn_unknown_once_contact_is_lost_and_times_are_vietnams(
    admin: httpx.AsyncClient, fleet: FleetHub, tmp_kiosks: Path
) -> None:
    kiosk = await enrolled_kiosk(fleet, tmp_kiosks, "sanh-a")
    await kiosk.sender.beat_once()  # at 02:00 UTC: 09:00 in Hà Nội
    home = (await admin.get("/fleet")).text
    assert re.search(r'class="badge device good" data-device="printer" data-state="ok"[^>]*>Máy in: tốt<', home)
    assert '<time datetime="2026-11-23T09:00:00+07:00">23/11/2026 09:00:00</time>' in home
    fleet.clock.advance(91)  # three heartbeats missed
    for page in ("/fleet", f"/fleet/kiosks/{kiosk.credentials.kiosk_id}"):
        lost = (await admin.get(page)).text
        assert 'data-state="ok"' not in lost
        assert re.search(
            r'class="badge device " data-device="printer" data-state="unknown"[^>]*>Máy in: không rõ<', lost
        )


async def test_the_history_shows_the_version_the_kiosk_runs(fleet: FleetHub, tmp_kiosks: Path) -> None:
    kiosk = await enrolled_kiosk(fleet, tmp_kiosks, "sanh-a")
    await kiosk.sender.beat_once()  # history: v0
    with fleet.hub.writer() as session:
        version = configs.save_version(session, RemoteConfig().model_dump(mode="json"), "it", fleet.clock())
        session.flush()
        rollout.start(session, default_group(session, fleet.clock()).id, version, "it", fleet.clock())
        session.commit()
    await kiosk.agent.poll_once()  # applies v1 and reports it: the fleet row says v1 before any heartbeat does
    fleet.clock.advance(30)
    await kiosk.sender.beat_once()
    with fleet.hub.reader() as session:
        assert session.get(FleetKiosk, kiosk.credentials.kiosk_id).config_version == 1  # type: ignore[union-attr]
    admin = fleet.client
    add_console_user(fleet.hub, "it-admin", Role.ADMIN)
    await log_in(admin, "it-admin")
    page = (await admin.get(f"/fleet/kiosks/{kiosk.credentials.kiosk_id}")).text
    newest = re.search(r'<table id="history">.*?</tr>\s*<tr><td>.*?</td><td>(\d+)</td>', page, re.DOTALL)
    assert newest is not None
    assert newest.group(1) == "1"


def _leaves(schema: dict[str, object], node: dict[str, object], prefix: str = "") -> list[str]:
    paths = []
    for name, prop in node["properties"].items():  # type: ignore[attr-defined]
        target = schema_form._resolve(schema, prop)
        if "const" in prop:
            continue
        paths.append(prefix + name)
        if target.get("type") == "object":
            paths += _leaves(schema, target, f"{prefix}{name}.")
    return paths


def test_every_field_of_the_editor_has_words_in_both_languages() -> None:
    schema = remote_config_json_schema()
    paths = _leaves(schema, schema)
    assert len(paths) > 20
    missing = [p for p in paths if p not in editor_words.FIELDS]
    assert missing == []
    for path in paths:
        (vi, en), (help_vi, help_en) = editor_words.FIELDS[path]
        assert vi != en, path
        assert path.rsplit(".", 1)[-1] not in (vi, en), path  # never the raw field name
        assert bool(help_vi) == bool(help_en), path


async def test_the_editor_pages_hold_no_raw_field_names_and_the_vietnamese_one_no_english(
    admin: httpx.AsyncClient,
) -> None:
    vi = (await admin.get("/fleet/config")).text
    await admin.get("/fleet/lang/en", headers={"referer": "http://hub.test/fleet/config"})
    en = (await admin.get("/fleet/config")).text
    for raw in ("PrinterSettings", "Paper Width Mm", "Screen Seconds", "Logo Png Base64", "Trust Anchors Pem"):
        assert raw not in vi
        assert raw not in en
    for (_, label_en), (_, help_en) in editor_words.FIELDS.values():
        assert f">{label_en}" not in vi
        assert not help_en or help_en not in vi
    assert "Tiếng Việt" in vi
    assert "Vietnamese" in en
    assert "Vietnamese" not in vi
