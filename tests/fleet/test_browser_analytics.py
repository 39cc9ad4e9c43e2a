"""The queue analytics in Debian's Chromium against a hub process: the charts load as images (their own styles
applied under the console's policy) and are drawn, not blank; the CSV link downloads the span's rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk_hub.hub import build_hub
from kiosk_hub.queue.tickets import IssueRequest
from kiosk_hub.settings import HubSettings
from kiosk_hub.wire import TicketRequest
from tests.fleet.browser import chromium_page, console_users, hub_cli, sign_in
from tests.hub.conftest import enrol, seed
from tests.hub.servers import hub_process
from tests.support.keys import key_file_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def hub_url(tmp_path: Path) -> Iterator[str]:
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    hub_cli("migrate", "--db", db)
    console_users(db)
    built = build_hub(HubSettings(database_url=db, key_file=key_file_for(db)))
    seed(built)
    kiosk = built.gate.kiosk_id(enrol(built))
    assert kiosk is not None
    for i, department in enumerate(("NOI", "NOI", "KKB", "NGOAI")):
        built.queue.issue(IssueRequest(kiosk, f"k{i}", TicketRequest(department_id=department)))
    built.queue.call_next("NOI")
    built.engine.dispose()
    with hub_process(db) as url:
        yield url


def test_the_charts_are_drawn_and_the_csv_downloads(hub_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    with chromium_page(hub_url) as page:
        assert isinstance(page, Page)
        sign_in(page, "xem")
        page.click("#nav-analytics")
        expect(page.locator("#analytics-total")).to_have_text("4")
        for chart in ("#chart-per-hour", "#chart-waits"):
            image = page.locator(chart)
            expect(image).to_be_visible()
            image.evaluate("img => img.decode()")  # waits until loaded and decoded (rejects a broken image)
            assert image.evaluate("img => img.naturalWidth") > 0  # parsed as SVG (a broken image has none)
            shot = tmp_path / f"{chart[1:]}.png"
            image.screenshot(path=str(shot))
            assert _colours(shot) > 3  # bars, axes and legend in colour: drawn, not a blank box
        with page.expect_download() as download:
            page.click("#analytics-csv")
        saved = tmp_path / "queue.csv"
        download.value.save_as(saved)
        lines = saved.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("day,department_id,lane,issued,called,cancelled")
        assert len(lines) == 4  # NOI, KKB, NGOAI: normal lane each


def _colours(png: Path) -> int:
    from PIL import Image

    with Image.open(png) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
    return sum(1 for count, _rgb in colours if count > 50)
