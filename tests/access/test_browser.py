"""In Debian's Chromium against a hub process on loopback: every console page renders under the Content Security
Policy with no violation (its styles and script are files), and an admin manages users while staff change their own
password — the same clicks IT makes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fleet.browser import CHROMIUM, CHROMIUM_ARGS, console_users, hub_cli
from tests.fleet.console_client import PASSWORD
from tests.hub.conftest import seed
from tests.hub.servers import hub_process

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NEW_PASSWORD = "mật-khẩu-mới-của-bác-sĩ"
# Every page of the console a signed-in admin opens from the menu, and a kiosk's page.
PAGES = ["/fleet", "/fleet/config", "/fleet/rollouts", "/fleet/enrol", "/fleet/audit", "/fleet/departments",
         "/fleet/departments/new", "/fleet/departments/NOI", "/fleet/settings", "/fleet/users", "/fleet/integrations",
         "/fleet/access-log", "/fleet/account", "/fleet/login"]  # fmt: skip


@pytest.fixture
def hub_url(tmp_path: Path) -> Iterator[str]:
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    hub_cli("migrate", "--db", db)
    from kiosk_hub.hub import build_hub
    from kiosk_hub.settings import HubSettings

    hub = build_hub(HubSettings(database_url=db))
    seed(hub)
    hub.engine.dispose()
    console_users(db)
    with hub_process(db) as url:
        yield url


@pytest.fixture
def browser(hub_url: str) -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_page(browser: object, hub_url: str, violations: list[str]) -> object:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    page = browser.new_context(base_url=hub_url, locale="vi-VN").new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: violations.append(str(e)))
    return page


def sign_in(page: object, username: str, password: str = PASSWORD) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto("/fleet/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login")


def test_every_console_page_renders_under_the_policy_without_a_violation(browser: object, hub_url: str) -> None:
    from playwright.sync_api import Page, expect

    violations: list[str] = []
    page = new_page(browser, hub_url, violations)
    assert isinstance(page, Page)
    sign_in(page, "it-admin")
    expect(page.locator("#who")).to_contain_text("it-admin")
    for path in PAGES:
        page.goto(path)
        # The style file applied (the header's colour) and nothing was refused.
        assert page.eval_on_selector("header", "e => getComputedStyle(e).backgroundColor") == "rgb(11, 93, 138)"
    # The confirm on a disabling form comes from console.js: the script file ran under the policy.
    page.goto("/fleet/users")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.locator("#user-xem button.toggle-disabled").click()
    assert dialogs == ["Khoá xem?"]
    expect(page.locator("#user-xem .badge")).to_have_text("Đang hoạt động")  # dismissed: nothing changed
    assert violations == []
    # An inline script, were one added, would be refused: the policy is really enforced by the browser.
    page.goto("/fleet/account")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
                  " document.body.appendChild(s); }")  # fmt: skip
    assert page.evaluate("() => window.ran") is None
    assert len(violations) == 1
    assert "script-src 'self'" in violations[0]


def test_an_admin_manages_users_and_staff_change_their_own_password(browser: object, hub_url: str) -> None:
    from playwright.sync_api import Page, expect

    violations: list[str] = []
    admin = new_page(browser, hub_url, violations)
    assert isinstance(admin, Page)
    sign_in(admin, "it-admin")
    admin.click("#nav-users")
    admin.fill("#new-username", "bs-lan")
    admin.select_option("#new-role", "staff")
    admin.fill("#new-user-password", "ngắn")
    admin.click("#add-user-button")
    expect(admin.locator("#users-problem")).to_contain_text("ít nhất 10 ký tự")
    admin.fill("#new-username", "bs-lan")
    admin.select_option("#new-role", "staff")
    admin.fill("#new-user-password", PASSWORD)
    admin.click("#add-user-button")
    expect(admin.locator("#users-done")).to_be_visible()
    row = admin.locator("#user-bs-lan")
    row.locator("select.place").select_option("NOI")
    row.locator("button.assign").click()
    expect(admin.locator("#user-bs-lan .places")).to_contain_text("NOI")
    admin.locator("#user-bs-lan button.toggle-names").click()
    expect(admin.locator("#user-bs-lan")).to_contain_text("Có")
    admin.once("dialog", lambda d: d.accept())
    admin.locator("#user-xem button.toggle-disabled").click()
    expect(admin.locator("#user-xem .badge")).to_have_text("Đã khoá")

    staff = new_page(browser, hub_url, violations)
    assert isinstance(staff, Page)
    sign_in(staff, "bs-lan")
    expect(staff).to_have_url(f"{hub_url}/fleet/account")
    staff.fill("#current-password", PASSWORD)
    staff.fill("#new-password", NEW_PASSWORD)
    staff.fill("#new-password-again", NEW_PASSWORD)
    staff.click("#save-password")
    expect(staff).to_have_url(f"{hub_url}/fleet/login")
    sign_in(staff, "bs-lan", NEW_PASSWORD)
    expect(staff.locator("#who")).to_contain_text("bs-lan")
    staff.goto("/fleet")
    expect(staff.locator("#error")).to_have_attribute("data-key", "error.forbidden")  # no fleet pages for staff

    viewer = new_page(browser, hub_url, violations)
    assert isinstance(viewer, Page)
    sign_in(viewer, "xem")
    expect(viewer.locator("#login-failed")).to_be_visible()  # disabled
    assert violations == []
