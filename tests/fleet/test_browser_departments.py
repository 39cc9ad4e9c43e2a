"""Going live in Debian's Chromium against the hub served by uvicorn: the home page says departments are missing, IT
adds them with rooms, orders and hides them, a mistake is named in Vietnamese, the configuration editor offers the
hub's departments as boxes to tick, a restart asks first, and a viewer sees all of it and can change none of it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fleet.browser import chromium_page, console_users, hub_cli, sign_in
from tests.hub.servers import hub_process

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[str, str]]:
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    hub_cli("migrate", "--db", db)
    console_users(db)
    with hub_process(db) as url:
        yield url, db


def add_department(page: object, fields: dict[str, str], rooms: list[tuple[str, str]]) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/fleet/departments")
    page.click("#add-department")
    for name, value in fields.items():
        if name == "lane_policy":
            page.select_option("select[name='lane_policy']", value)
        else:
            page.fill(f"input[name='{name}']", value)
    for n, (room_id, room_name) in enumerate(rooms):
        page.fill(f"input[name='room-{n}-id']", room_id)
        page.fill(f"input[name='room-{n}-name_vi']", room_name)
        page.click("#save-department")
        expect(page.locator("#saved")).to_be_visible()  # each save leaves an empty row for the next room


def test_it_adds_orders_and_hides_departments_and_picks_them_for_kiosks(hub: tuple[str, str]) -> None:
    from playwright.sync_api import Page, expect

    url, db = hub
    with chromium_page(url) as page:
        assert isinstance(page, Page)
        sign_in(page, "it-admin")
        expect(page.locator("#readiness li[data-gap='no_departments']")).to_have_text(
            "Chưa có khoa nào hiện trên ki-ốt. →"
        )
        page.click("#readiness li[data-gap='no_departments'] a")
        expect(page.locator("#no-departments")).to_contain_text("kiosk-hub departments import")

        kkb = {"id": "KKB", "name_vi": "Khoa Khám bệnh", "name_en": "Outpatient Clinic",
               "opening_hours": "T2-T6 07:00-16:30; T7 07:00-11:30", "lane_policy": "interleaved",
               "priority_every": "2"}  # fmt: skip
        add_department(page, kkb, [("KKB-01", "Phòng khám 1"), ("KKB-02", "Phòng khám 2")])
        expect(page.locator("#rooms tr[data-room]")).to_have_count(3)  # two rooms and the empty row
        add_department(page, {"id": "CC", "name_vi": "Khoa Cấp cứu", "opening_hours": "T2-CN 00:00-24:00"},
                       [("CC-01", "Buồng cấp cứu")])  # fmt: skip

        page.goto("/fleet/departments")
        expect(page.locator("#departments tr[data-department]")).to_have_count(2)
        page.click("tr[data-department='CC'] button.up")
        expect(page.locator("#departments tr[data-department] td:nth-child(2)")).to_have_text(["CC", "KKB"])
        page.click("tr[data-department='KKB'] button.toggle")
        expect(page.locator("tr[data-department='KKB'] .status")).to_have_text("Đã ẩn")
        expect(page.locator("tr[data-department='KKB'] td:nth-child(6)")).to_have_text("Xen kẽ 1 sau 2")

        page.goto("/fleet/departments/new")
        page.fill("input[name='id']", "MAT")
        page.fill("input[name='name_vi']", "Khoa Mắt")
        page.fill("input[name='opening_hours']", "Thứ hai 7h-11h")
        page.click("#save-department")
        expect(page.locator("#problems")).to_contain_text("Giờ mở cửa: 'THỨ' không phải ngày")

        page.goto("/fleet/config")
        picker = page.locator("#pick-departments_shown")
        expect(picker).to_contain_text("CC — Khoa Cấp cứu")
        expect(picker).to_contain_text("KKB — Khoa Khám bệnh (đang ẩn)")
        page.check("input[name='departments_shown'][value='CC']")
        page.click("#save-config")
        expect(page.locator("#saved-version")).to_have_text("1")
        saved = json.loads(page.request.get("/fleet/config/1.json").text())
        assert saved["config"]["departments_shown"] == ["CC"]

        page.goto("/fleet")
        expect(page.locator("#readiness li[data-gap='no_departments']")).to_have_count(0)
        expect(page.locator("#readiness li[data-gap='no_kiosk']")).to_have_count(1)

    with httpx.Client(base_url=url) as kiosk:  # the kiosks see what the console set
        code = json.loads(hub_cli("enrolment-code", "--db", db))["codes"][0]
        token = kiosk.post("/fleet/v1/enrol", json={"code": code, "name": "sanh-a"}).json()["token"]
        listed = kiosk.get("/api/v1/departments", headers={"Authorization": f"Bearer {token}"}).json()
    assert [(d["id"], [r["id"] for r in d["rooms"]]) for d in listed["departments"]] == [("CC", ["CC-01"])]


def test_a_restart_asks_first_and_a_viewer_changes_nothing(hub: tuple[str, str]) -> None:
    from playwright.sync_api import Page, expect

    url, db = hub
    code = json.loads(hub_cli("enrolment-code", "--db", db))["codes"][0]
    with httpx.Client(base_url=url) as kiosk:
        kiosk_id = kiosk.post("/fleet/v1/enrol", json={"code": code, "name": "sanh-a"}).json()["kiosk_id"]
    hub_cli(
        "departments",
        "import",
        "-",
        "--db",
        db,
        stdin="department_id,name_vi,opening_hours\nNOI,Khoa Nội,T2 07:00-11:00\n",
    )
    with chromium_page(url) as page:
        assert isinstance(page, Page)
        sign_in(page, "it-admin")
        page.goto(f"/fleet/kiosks/{kiosk_id}")
        page.click("#action-restart")
        expect(page.locator("#confirm-question")).to_have_text(
            "Khởi động lại ki-ốt sanh-a? Người bệnh đang dùng sẽ bị ngắt."
        )
        page.click("#cancel")
        expect(page.locator("#actions tr")).to_have_count(0)
        page.click("#action-restart")
        page.click("#confirm")
        expect(page.locator("#actions")).to_contain_text("Khởi động lại")
        page.click("#logout")

        sign_in(page, "xem")
        page.goto("/fleet/departments")
        expect(page.locator("tr[data-department='NOI']")).to_contain_text("Khoa Nội")
        expect(page.locator("#departments button")).to_have_count(0)
        page.goto("/fleet/departments/NOI")
        expect(page.locator("input[name='name_vi']")).to_be_disabled()
        expect(page.locator("#save-department")).to_have_count(0)
        page.goto(f"/fleet/kiosks/{kiosk_id}")
        expect(page.locator("#action-restart")).to_have_count(0)
