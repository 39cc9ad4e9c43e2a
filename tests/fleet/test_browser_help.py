"""The reception's help page in Debian's Chromium against a hub process: a kiosk's call for help appears with the
kiosk's name and location, reaches IT's alerts on the fleet page when nobody takes it in time, and staff take it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk_hub.hub import build_hub
from kiosk_hub.settings import HubSettings
from tests.fleet.browser import chromium_page, console_users, hub_cli, sign_in
from tests.fleet.console_client import PASSWORD
from tests.hub.conftest import enrol
from tests.hub.servers import hub_process
from tests.support.keys import key_file_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ESCALATE_S = 10  # the smallest the hub accepts


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The hub's URL and a kiosk's token."""
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    hub_cli("migrate", "--db", db)
    console_users(db)
    hub_cli("admin", "add", "le-tan", "--role", "staff", "--db", db, stdin=PASSWORD + "\n")
    built = build_hub(HubSettings(database_url=db, key_file=key_file_for(db)))
    token = enrol(built, "sanh-a-01")
    built.engine.dispose()
    with hub_process(db, env={"KIOSK_HUB_HELP_ESCALATE_AFTER_SECONDS": str(ESCALATE_S)}) as url:
        yield url, token


def test_a_kiosks_call_is_seen_escalated_and_taken(hub: tuple[str, str]) -> None:
    from playwright.sync_api import Page, expect

    url, token = hub
    asked = httpx.post(f"{url}/api/v1/help-calls", headers={"Authorization": f"Bearer {token}"},
                       json={"location": "Sảnh tầng 1, nhà A", "screen": "department"})  # fmt: skip
    assert asked.status_code == 201
    asked_at = time.monotonic()
    with chromium_page(url) as page:
        assert isinstance(page, Page)
        sign_in(page, "it-admin")
        page.goto("/fleet")
        expect(page.locator("#help-alerts")).to_have_count(0)  # asked a moment ago: the reception has time
        time.sleep(max(0.0, ESCALATE_S + 0.5 - (time.monotonic() - asked_at)))
        page.reload()
        expect(page.locator("#help-alerts")).to_contain_text("sanh-a-01")
        expect(page.locator("#help-alerts")).to_contain_text("Sảnh tầng 1, nhà A")
        page.click("#logout")

        sign_in(page, "le-tan")
        page.click("#nav-help")
        row = page.locator("tr.help-call[data-kiosk='sanh-a-01']")
        expect(row).to_contain_text("Sảnh tầng 1, nhà A")
        expect(row).to_contain_text("department")
        expect(row.locator(".badge.bad")).to_have_text("Chưa ai nhận")
        row.locator("button.acknowledge").click()
        expect(page).to_have_url(f"{url}/fleet/help")
        expect(row).to_contain_text("Đã nhận: le-tan")
        expect(row.locator("button.acknowledge")).to_have_count(0)
        page.click("#logout")

        sign_in(page, "it-admin")
        page.goto("/fleet")
        expect(page.locator("#help-alerts")).to_have_count(0)  # taken: no longer IT's alert
