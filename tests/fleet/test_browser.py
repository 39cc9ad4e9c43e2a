"""IT's whole path in Debian's Chromium against the hub served by uvicorn: log in, set the BHXH lookup officer, enrol
a kiosk, edit and save a configuration, roll it out to a canary, watch the headless kiosk apply it and report it,
see its heartbeat."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fleet.browser import chromium_page, console_users, hub_cli
from tests.fleet.console_client import PASSWORD
from tests.fleet.headless_kiosk import HeadlessKiosk
from tests.hub.servers import hub_process

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def hub_url(tmp_path: Path) -> Iterator[str]:
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    hub_cli("migrate", "--db", db)
    console_users(db)
    with hub_process(db) as url:
        yield url


@pytest.fixture
def page(hub_url: str) -> Iterator[object]:
    with chromium_page(hub_url) as page:
        yield page


def test_it_enrols_a_kiosk_configures_it_and_sees_it_applied(page: object, hub_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/fleet")
    expect(page).to_have_url(f"{hub_url}/fleet/login")  # a first visit: no session to have expired
    expect(page.locator("main .error")).to_have_count(0)
    page.fill("#username", "it-admin")
    page.fill("#password", PASSWORD)
    page.click("#login")
    expect(page.locator("#who")).to_contain_text("it-admin")

    page.goto("/fleet/settings")  # the BHXH lookup officer: the hub's own setting, the CCCD never shown in full
    page.fill("#officer-form input[name='name']", "Nguyễn Thị Tra Cứu")
    page.fill("#officer-form input[name='id_number']", "001190004321")
    page.click("#save-officer")
    expect(page.locator("#officer-id")).to_have_text("•••• •••• 4321")
    expect(page.locator("#officer-form input[name='id_number']")).to_have_value("")
    assert "001190004321" not in page.content()
    expect(page.locator("#config-key code")).to_have_text(re.compile(r"^[0-9a-f]{16}$"))

    page.goto("/fleet/enrol")
    page.click("#create-code")
    code = page.locator("#enrolment-code").inner_text()
    kiosk = HeadlessKiosk(hub_url, code, "sanh-a-01", tmp_path / "kiosk", interval=0.5).start()
    try:
        page.goto("/fleet")
        page.click("text=sanh-a-01")
        page.check("#canary")
        page.click("#save-settings")
        expect(page.locator("#canary")).to_be_checked()

        page.goto("/fleet/config")
        page.fill("input[name='idle.screen_seconds']", "45")
        page.fill("input[name='ticket.footer_vi']", "Xin mời ngồi chờ gọi số")
        page.fill("#comment", "canary: thời gian chờ 45 giây")
        page.click("#save-config")
        expect(page.locator("#saved-version")).to_have_text("1")

        page.goto("/fleet/rollouts")
        row = page.locator("tr[data-group='default']")
        row.locator("select[name='version']").select_option("1")
        row.locator("button.start-rollout").click()

        started = time.monotonic()
        applied_at = kiosk.wait_for_version(1, timeout=30)
        applied = kiosk.applied[-1][1]
        assert (applied.idle.screen_seconds, applied.ticket.footer_vi) == (45, "Xin mời ngồi chờ gọi số")
        assert applied_at - started < 10

        page.goto("/fleet/rollouts")
        expect(page.locator("tr[data-group='default'] .phase")).to_contain_text("done", timeout=15_000)
        page.goto("/fleet")
        page.click("text=sanh-a-01")
        _reload_until(page, "#applied-version", "1")
        expect(page.locator("#history tr")).not_to_have_count(1)  # heartbeats listed under the header row
        _reload_until(page, "#history tr:nth-child(2) td:nth-child(2)", "1")  # the newest beat runs v1, as applied
        expect(page.locator("#reports")).to_contain_text("applied")
        page.goto("/fleet")
        expect(page.locator("tr[data-kiosk='sanh-a-01'] .config-version")).to_have_text("1")
        expect(page.locator("tr[data-kiosk='sanh-a-01'] .stale-flag")).to_have_count(0)
        expect(page.locator(".count-tickets")).to_have_text("4")
    finally:
        kiosk.stop()
    assert kiosk.error is None
    assert os.stat(tmp_path / "kiosk" / "credentials.json").st_mode & 0o077 == 0


def _reload_until(page: object, selector: str, text: str, timeout: float = 15) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    deadline = time.monotonic() + timeout
    while page.locator(selector).inner_text() != text:
        if time.monotonic() > deadline:
            raise AssertionError(f"{selector} never showed {text!r}")
        time.sleep(0.3)
        page.reload()


def test_a_viewer_in_the_browser_has_no_save_button_and_a_forged_post_is_refused(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/fleet/login")
    page.fill("#username", "xem")
    page.fill("#password", PASSWORD)
    page.click("#login")
    expect(page.locator("#who")).to_contain_text("viewer")
    page.goto("/fleet/config")
    expect(page.locator("#save-config")).to_have_count(0)
    csrf = page.locator("input[name='csrf']").first.get_attribute("value")
    forged = page.request.post("/fleet/enrol", form={"csrf": csrf or "", "group_id": ""})
    assert forged.status == 403
    no_token = page.request.post("/fleet/config", form={"idle.screen_seconds": "99"})
    assert no_token.status == 403
    page.goto("/fleet/audit")
    expect(page.locator("#audit")).not_to_contain_text("enrolment.code_created")
