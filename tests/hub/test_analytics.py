"""The console's queue analytics over real HTTP (uvicorn on loopback): tickets issued at known hours, some called
after known waits, one cancelled; the page, the CSV and the charts say exactly that, to admins and viewers only,
and never name a patient."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest

from kiosk_hub.access.roles import Role
from kiosk_hub.analytics.figures import percentile
from kiosk_hub.app import create_app
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.queue.tickets import IssueRequest
from kiosk_hub.settings import HubSettings
from kiosk_hub.wire import TicketRequest
from tests.fleet.console_client import PASSWORD, add_console_user, csrf_of
from tests.hub.conftest import FakeClock, enrol, seed
from tests.hub.servers import serve_in_thread

SPAN = "from=2026-11-23&to=2026-11-23"


@dataclass
class Console:
    url: str
    clients: list[httpx.Client]

    def as_user(self, username: str) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=20)
        self.clients.append(client)  # closed by the fixture
        page = client.get("/fleet/login")
        client.post("/fleet/login", data={"csrf": csrf_of(page.text), "username": username, "password": PASSWORD})
        return client


def _morning(hub: Hub, clock: FakeClock) -> None:
    """NOI: three normal tickets at 07:xx called after 10, 20 and 30 minutes, a priority one at 08:xx called after
    5, a normal one at 08:xx cancelled; KKB: one normal ticket at 09:xx, still waiting."""
    kiosk = hub.gate.kiosk_id(enrol(hub))
    assert kiosk is not None
    clock.now = datetime(2026, 11, 23, 0, 10, tzinfo=clock.now.tzinfo)  # 07:10 in Hà Nội

    def issue(key: str, department: str = "NOI", lane: str = "normal", patient: str | None = None) -> str:
        reasons = ["aged_75_plus"] if lane == "priority" else []
        body = TicketRequest.model_validate(
            {"department_id": department, "lane": lane, "priority_reasons": reasons, "patient_id": patient}
        )
        return hub.queue.issue(IssueRequest(kiosk, key, body))[0].id

    for i in range(3):
        issue(f"n{i}", patient=f"benh-nhan-{i}")
    for minutes in (10, 10, 10):
        clock.now += timedelta(minutes=minutes)
        hub.queue.call_next("NOI")
    clock.now = datetime(2026, 11, 23, 1, 30, tzinfo=clock.now.tzinfo)  # 08:30
    issue("p0", lane="priority")
    cancelled = issue("n3")
    hub.queue.cancel(kiosk, cancelled)
    clock.now += timedelta(minutes=5)
    hub.queue.call_next("NOI")
    clock.now = datetime(2026, 11, 23, 2, 15, tzinfo=clock.now.tzinfo)  # 09:15
    issue("k0", department="KKB")


@pytest.fixture
def console(sqlite_url: str, clock: FakeClock) -> Iterator[Console]:
    hub = build_hub(HubSettings(database_url=sqlite_url), clock=clock)
    seed(hub)
    _morning(hub, clock)
    for name, role in (("it", Role.ADMIN), ("xem", Role.VIEWER), ("le-tan", Role.STAFF)):
        add_console_user(hub, name, role)
    with serve_in_thread(create_app(hub, background=False)) as url:
        console = Console(url, [])
        yield console
        for client in console.clients:
            client.close()
    hub.engine.dispose()


def _rows(page: str) -> dict[str, list[str]]:
    import re

    found = re.findall(r'<tr data-row="([^"]+)">(.*?)</tr>', page, re.DOTALL)
    return {row: re.findall(r'class="\w+">([^<]*)<', cells) for row, cells in found}


def test_the_page_counts_and_times_the_morning(console: Console) -> None:
    viewer = console.as_user("xem")
    page = viewer.get(f"/fleet/analytics?{SPAN}")
    assert page.status_code == 200
    # NOI normal: 4 issued, 3 called after 10, 20, 30 min → p50 20, p90 28 (inclusive method); 1 cancelled.
    assert _rows(page.text) == {
        "KKB-normal": ["1", "0", "0", "—", "—"],
        "NOI-normal": ["4", "3", "1", "20.0", "28.0"],
        "NOI-priority": ["1", "1", "0", "5.0", "5.0"],
    }
    assert '<strong id="analytics-total">6</strong>' in page.text
    assert "benh-nhan" not in page.text
    one_department = viewer.get(f"/fleet/analytics?{SPAN}&department=KKB")
    assert list(_rows(one_department.text)) == ["KKB-normal"]


def test_the_csv_has_a_row_per_day_department_and_lane_and_no_patient(console: Console) -> None:
    answer = console.as_user("it").get(f"/fleet/analytics.csv?{SPAN}")
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == 'attachment; filename="queue-2026-11-23-2026-11-23.csv"'
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    noi = next(r for r in rows if (r["department_id"], r["lane"]) == ("NOI", "normal"))
    assert (noi["issued"], noi["called"], noi["cancelled"], noi["wait_p50_minutes"], noi["wait_p90_minutes"]) == (
        "4", "3", "1", "20.0", "28.0")  # fmt: skip
    assert (noi["issued_07h"], noi["issued_08h"]) == ("3", "1")
    assert len(rows) == 3
    assert "benh-nhan" not in answer.text


def test_the_charts_are_svg_drawn_from_the_figures(console: Console) -> None:
    admin = console.as_user("it")
    per_hour = admin.get(f"/fleet/analytics/tickets-per-hour.svg?{SPAN}")
    assert per_hour.headers["content-type"] == "image/svg+xml"
    assert "script-src 'none'" in per_hour.headers["content-security-policy"]  # none may run in an image
    root = ET.fromstring(per_hour.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = "".join(root.itertext())
    assert "NOI" in text
    assert "KKB" in text
    waits = admin.get(f"/fleet/analytics/waits.svg?{SPAN}").text
    assert "NOI · Thường" in waits
    assert "NOI · Ưu tiên" in waits


def test_staff_may_not_read_it_and_a_bad_span_is_said(console: Console) -> None:
    staff = console.as_user("le-tan")
    assert staff.get("/fleet/analytics").status_code == 403
    assert staff.get("/fleet/analytics.csv").status_code == 403
    anonymous = httpx.get(f"{console.url}/fleet/analytics/waits.svg", follow_redirects=False)
    assert anonymous.headers["location"] == "/fleet/login"
    viewer = console.as_user("xem")
    bad = viewer.get("/fleet/analytics?from=2026-13-01")
    assert bad.status_code == 422
    assert 'data-key="bad_date"' in bad.text
    too_long = viewer.get("/fleet/analytics?from=2026-01-01&to=2026-11-23")
    assert 'data-key="bad_span"' in too_long.text


def test_percentiles_are_the_inclusive_ones() -> None:
    assert percentile([], 50) is None
    assert percentile([7.0], 90) == 7.0
    assert percentile([10.0, 20.0, 30.0], 90) == pytest.approx(28.0)
