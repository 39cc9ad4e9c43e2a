"""The departments pages over HTTP as a browser posts them: an admin adds, edits, orders and hides departments and
what kiosks list follows; a mistake comes back with its field named in the page's language; viewers only look;
the configuration editor offers the hub's departments and refuses ids the hub does not have."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from sqlalchemy import select

from kiosk_hub.access.roles import Role
from kiosk_hub.catalogue.files import read_csv
from kiosk_hub.fleet import enrolment
from kiosk_hub.fleet.models import AuditEntry, ConfigVersion
from tests.fleet.conftest import FleetHub
from tests.fleet.console_client import add_console_user, csrf_of, editor_form, log_in, post_form

CARDIOLOGY = {
    "id": "TIM", "name_vi": "Khoa Tim mạch", "name_en": "Cardiology", "location_vi": "Tầng 2, nhà C",
    "location_en": "Floor 2, building C", "opening_hours": "T2-T6 07:00-11:30, 13:00-16:30",
    "lane_policy": "interleaved", "priority_every": "2", "minutes_per_patient": "9", "active": "1",
}  # fmt: skip
TWO_ROOMS = [("TIM-01", "Phòng khám Tim 1", ""), ("TIM-02", "Phòng khám Tim 2", "Phòng 202")]


def rooms(*given: tuple[str, str, str]) -> dict[str, str]:
    """The rooms table as posted: one row per room (id, name, location), then the empty row for a new one."""
    form: dict[str, str] = {}
    for n, (room_id, name, location) in enumerate([*given, ("", "", "")]):
        form |= {f"room-{n}-id": room_id, f"room-{n}-name_vi": name, f"room-{n}-location_vi": location}
        form |= {f"room-{n}-active": "1"} if room_id else {}
    return form


@pytest.fixture
async def admin(fleet: FleetHub) -> httpx.AsyncClient:
    add_console_user(fleet.hub, "it-admin", Role.ADMIN)
    await log_in(fleet.client, "it-admin")
    return fleet.client


def kiosk(fleet: FleetHub) -> httpx.AsyncClient:
    with fleet.hub.writer() as session:
        _, token = enrolment.add_kiosk(session, f"sanh-{uuid.uuid4().hex[:8]}", fleet.clock())
        session.commit()
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fleet.app), base_url="http://hub.test",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip


async def listed(fleet: FleetHub) -> list[tuple[str, int]]:
    async with kiosk(fleet) as client:
        body = (await client.get("/api/v1/departments")).json()
    return [(d["id"], len(d["rooms"])) for d in body["departments"]]


async def add(admin: httpx.AsyncClient, given: dict[str, str] | None = None, **changes: str) -> httpx.Response:
    form = {**CARDIOLOGY, **(rooms(*TWO_ROOMS) if given is None else given), **changes}
    return await post_form(admin, "/fleet/departments/new", "/fleet/departments", form)


async def test_an_admin_adds_a_department_with_rooms_and_kiosks_list_it(
    admin: httpx.AsyncClient, fleet: FleetHub
) -> None:
    saved = await add(admin)
    assert saved.headers["location"] == "/fleet/departments/TIM?saved=1"
    assert await listed(fleet) == [("TIM", 2)]
    await add(admin, rooms(("CC-01", "Buồng cấp cứu", "")), id="CC", name_vi="Khoa Cấp cứu",
              opening_hours="T2-CN 00:00-24:00")  # fmt: skip
    assert await listed(fleet) == [("TIM", 2), ("CC", 1)]
    page = await admin.get("/fleet/departments/TIM")
    assert 'value="T2-T6 07:00-11:30, 13:00-16:30"' in page.text
    edit = {**CARDIOLOGY, **rooms(*TWO_ROOMS), "room-1-active": "", "minutes_per_patient": "12"}  # room 2 closed
    assert (await post_form(admin, "/fleet/departments/TIM", "/fleet/departments/TIM", edit)).status_code == 303
    assert await listed(fleet) == [("TIM", 1), ("CC", 1)]
    csv = await admin.get("/fleet/departments/export.csv")
    tim = next(d for d in read_csv(csv.text).departments if d.id == "TIM")
    assert (tim.minutes_per_patient, [(r.id, r.active) for r in tim.rooms]) == (
        12,
        [("TIM-01", True), ("TIM-02", False)],
    )
    with fleet.hub.reader() as session:
        done = [(e.action, e.target) for e in session.scalars(select(AuditEntry)) if e.action.startswith("department")]
    assert done == [("department.created", "TIM"), ("department.created", "CC"), ("department.saved", "TIM")]


async def test_order_and_hiding_are_what_kiosks_list(admin: httpx.AsyncClient, fleet: FleetHub) -> None:
    for dep in ("A", "B", "C"):
        await add(admin, rooms((f"{dep}-1", "Phòng 1", "")), id=dep)
    await post_form(admin, "/fleet/departments", "/fleet/departments/C/move", {"direction": "up"})
    await post_form(admin, "/fleet/departments", "/fleet/departments/A/move", {"direction": "down"})
    assert [d for d, _ in await listed(fleet)] == ["C", "A", "B"]
    await post_form(admin, "/fleet/departments", "/fleet/departments/A/active", {"active": "0"})
    assert [d for d, _ in await listed(fleet)] == ["C", "B"]
    page = (await admin.get("/fleet/departments")).text
    assert re.search(r'data-department="A">.*?Đã ẩn.*?Hiện lại', page, re.DOTALL)
    await post_form(admin, "/fleet/departments", "/fleet/departments/A/active", {"active": "1"})
    assert [d for d, _ in await listed(fleet)] == ["C", "A", "B"]


async def test_a_mistake_comes_back_with_its_field_named_in_the_pages_language(
    admin: httpx.AsyncClient, fleet: FleetHub
) -> None:
    wrong = {"name_vi": "", "opening_hours": "T2-T6 7h-11h"}
    typed_rooms = rooms(TWO_ROOMS[0], ("TIM 02", "Phòng 2", ""))
    refused = await add(admin, typed_rooms, **wrong)
    assert refused.status_code == 422
    assert "Tên (tiếng Việt): không được để trống" in refused.text
    assert "Giờ mở cửa: &#39;7h-11h&#39;: giờ viết HH:MM-HH:MM" in refused.text
    assert "Phòng 2, Mã phòng: chỉ gồm chữ không dấu" in refused.text
    assert 'value="TIM 02"' in refused.text  # what was typed is kept, to be corrected
    await admin.get("/fleet/lang/en", headers={"referer": "http://hub.test/fleet"})
    english = await add(admin, typed_rooms, **wrong)
    assert "Name (Vietnamese): must not be empty" in english.text
    assert "must not be empty" not in refused.text
    assert await listed(fleet) == []
    await add(admin)
    taken = await add(admin)
    assert "This department id is taken." in taken.text
    other = await add(admin, rooms(TWO_ROOMS[0]), id="NOI")
    assert "Room id used by another department: TIM-01" in other.text


async def test_a_viewer_sees_the_departments_and_changes_nothing(admin: httpx.AsyncClient, fleet: FleetHub) -> None:
    await add(admin)
    add_console_user(fleet.hub, "xem", Role.VIEWER)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fleet.app), base_url="http://hub.test") as viewer:
        await log_in(viewer, "xem")
        page = await viewer.get("/fleet/departments")
        assert "Khoa Tim mạch" in page.text
        assert "formaction" not in page.text
        assert 'id="add-department"' not in page.text
        one = await viewer.get("/fleet/departments/TIM")
        assert "<fieldset disabled>" in one.text
        assert 'id="save-department"' not in one.text
        for action, data in (("/fleet/departments/TIM/active", {"active": "0"}), ("/fleet/departments", {"id": "X"})):
            refused = await viewer.post(action, data={"csrf": csrf_of(page.text), **data})
            assert refused.status_code == 403
    assert await listed(fleet) == [("TIM", 2)]


async def test_the_editor_ticks_departments_from_the_hub_and_refuses_unknown_ids(
    admin: httpx.AsyncClient, fleet: FleetHub
) -> None:
    await add(admin)
    await add(admin, rooms(("MAT-01", "Phòng 1", "")), id="MAT", name_vi="Khoa Mắt", active="")
    page = await admin.get("/fleet/config")
    assert 'name="departments_shown" value="TIM"' in page.text
    assert "TIM — Khoa Tim mạch" in page.text
    assert "MAT — Khoa Mắt (đang ẩn)" in page.text
    form = editor_form(page.text)
    typo = await admin.post("/fleet/config", data={**form, "departments_shown": ["TIM", "TMI"]})
    assert typo.status_code == 422
    assert "Khoa hiển thị trên ki-ốt: không có khoa mã TMI" in typo.text
    assert "TMI — không có khoa này" in typo.text  # ticked, and said to be unknown, so IT can untick it
    with fleet.hub.reader() as session:
        assert session.scalars(select(ConfigVersion)).first() is None
    saved = await admin.post("/fleet/config", data={**form, "departments_shown": ["TIM"]})
    assert saved.headers["location"] == "/fleet/config?saved=1"
    again = await admin.get("/fleet/config")
    assert re.search(r'value="TIM" checked', again.text)
    assert not re.search(r'value="MAT" checked', again.text)
