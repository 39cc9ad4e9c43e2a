"""A kiosk's call for help over real HTTP (uvicorn on loopback): the kiosk asks, the reception page shows the
kiosk's name and location, staff take it, and a call nobody takes reaches IT's alerts on the fleet page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from kiosk_hub.access.roles import Role
from kiosk_hub.access.users import assign_place
from kiosk_hub.app import create_app
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.settings import HubSettings
from tests.fleet.console_client import PASSWORD, add_console_user, csrf_of
from tests.hub.conftest import FakeClock, enrol, seed
from tests.hub.servers import serve_in_thread


@dataclass
class Reception:
    hub: Hub
    url: str
    kiosk: httpx.Client
    clock: FakeClock
    clients: list[httpx.Client]

    def console(self, username: str) -> httpx.Client:
        client = _console(self.url, username)
        self.clients.append(client)  # closed by the fixture
        return client


def _console(url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=20)
    page = client.get("/fleet/login")
    signed_in = client.post(
        "/fleet/login", data={"csrf": csrf_of(page.text), "username": username, "password": PASSWORD}
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] != "/fleet/login?failed=1"
    return client


@pytest.fixture
def reception(sqlite_url: str, clock: FakeClock) -> Iterator[Reception]:
    hub = build_hub(HubSettings(database_url=sqlite_url, help_escalate_after_seconds=60), clock=clock)
    seed(hub)
    token = enrol(hub, "ki-ot-sanh-a")
    for name, role in (("le-tan", Role.STAFF), ("xem", Role.VIEWER), ("it", Role.ADMIN)):
        add_console_user(hub, name, role)
    with hub.writer() as session:
        assign_place(session, "le-tan", "KKB", None, "test", clock())
        session.commit()
    with serve_in_thread(create_app(hub, background=False)) as url:
        kiosk = httpx.Client(base_url=url, timeout=20, headers={"Authorization": f"Bearer {token}"})
        reception = Reception(hub, url, kiosk, clock, [kiosk])
        yield reception
        for client in reception.clients:
            client.close()
    hub.engine.dispose()


def test_a_call_reaches_the_reception_page_and_staff_take_it(reception: Reception) -> None:
    asked = reception.kiosk.post("/api/v1/help-calls", json={"location": "Sảnh tầng 1, nhà A", "screen": "department"})
    assert asked.status_code == 201
    first = asked.json()
    assert first["already_open"] is False
    again = reception.kiosk.post("/api/v1/help-calls", json={"location": "Sảnh tầng 1, nhà A", "screen": "confirm"})
    assert (again.json()["id"], again.json()["already_open"]) == (first["id"], True)  # pressed twice: one call

    staff = reception.console("le-tan")
    page = staff.get("/fleet/help")
    assert page.status_code == 200
    assert "ki-ot-sanh-a" in page.text
    assert "Sảnh tầng 1, nhà A" in page.text
    assert "department" in page.text
    viewer = reception.console("xem")
    looked = viewer.get("/fleet/help")
    assert "ki-ot-sanh-a" in looked.text
    assert 'class="acknowledge"' not in looked.text
    refused = viewer.post(
        f"/fleet/help/{first['id']}/acknowledge", data={"csrf": csrf_of(staff.get("/fleet/account").text)}
    )
    assert refused.status_code == 403
    no_token = staff.post(f"/fleet/help/{first['id']}/acknowledge", data={})
    assert no_token.status_code == 403  # no CSRF token, nothing taken
    assert "help-call open" in staff.get("/fleet/help").text
    taken = staff.post(f"/fleet/help/{first['id']}/acknowledge", data={"csrf": csrf_of(page.text)})
    assert (taken.status_code, taken.headers["location"]) == (303, "/fleet/help")
    after = staff.get("/fleet/help").text
    assert "help-call open" not in after
    assert "le-tan" in after
    unknown = staff.post("/fleet/help/no-such-call/acknowledge", data={"csrf": csrf_of(page.text)})
    assert unknown.status_code == 404
    # Taken, the next press is a new call.
    assert reception.kiosk.post("/api/v1/help-calls", json={}).json()["already_open"] is False


def test_bad_or_anonymous_calls_are_refused_and_write_nothing(reception: Reception) -> None:
    bad = reception.kiosk.post("/api/v1/help-calls", json={"screen": "<script>"})
    assert (bad.status_code, bad.headers["content-type"]) == (422, "application/problem+json")
    too_long = reception.kiosk.post("/api/v1/help-calls", json={"location": "x" * 121})
    assert too_long.status_code == 422
    anonymous = httpx.post(f"{reception.url}/api/v1/help-calls", json={})
    assert anonymous.status_code == 401
    staff = reception.console("le-tan")
    assert 'id="help-none"' in staff.get("/fleet/help").text


def test_a_call_nobody_takes_reaches_it_alerts_after_the_configured_time(reception: Reception) -> None:
    reception.kiosk.post("/api/v1/help-calls", json={"location": "Sảnh tầng 1, nhà A"})
    admin = reception.console("it")
    assert 'id="help-alerts"' not in admin.get("/fleet").text
    reception.clock.now += timedelta(seconds=59)
    assert 'id="help-alerts"' not in admin.get("/fleet").text
    reception.clock.now += timedelta(seconds=2)
    fleet = admin.get("/fleet").text
    assert 'id="help-alerts"' in fleet
    assert "ki-ot-sanh-a" in fleet
    page = admin.get("/fleet/help")
    call_id = page.text.split("/fleet/help/")[1].split("/acknowledge")[0]
    admin.post(f"/fleet/help/{call_id}/acknowledge", data={"csrf": csrf_of(page.text)})
    assert 'id="help-alerts"' not in admin.get("/fleet").text
