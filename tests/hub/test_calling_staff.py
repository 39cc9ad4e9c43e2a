"""The room's calling page over HTTP as a browser uses it (forms, cookies, CSRF): staff of one room act for that
room only, a refusal comes back as a message on the page and changes nothing, names appear only for staff allowed
to see them, and IT configures areas and screens."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from kiosk_hub.access.roles import Role
from kiosk_hub.access.users import add_user, assign_place, set_may_see_names
from tests.fleet.console_client import PASSWORD, csrf_of, log_in
from tests.hub.conftest import HubUnderTest

PAGE = "/fleet/calling/departments/NOI"
BROWSER = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
async def staff(hub_api: HubUnderTest) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    with hub_api.hub.writer() as session:
        now = hub_api.hub.clock()
        for name, role in (("bs-phong1", Role.STAFF), ("dd-noi", Role.STAFF), ("it-admin", Role.ADMIN)):
            add_user(session, name, PASSWORD, role, "test", now)
        session.flush()
        assign_place(session, "bs-phong1", "NOI", "NOI-01", "test", now)
        assign_place(session, "dd-noi", "NOI", None, "test", now)
        set_may_see_names(session, "dd-noi", True, "test", now)
        session.commit()
    transport = hub_api.client._transport
    clients = {}
    for name in ("bs-phong1", "dd-noi", "it-admin"):
        clients[name] = httpx.AsyncClient(transport=transport, base_url="http://hub.test", headers=BROWSER)
        await log_in(clients[name], name)
    yield clients
    for client in clients.values():
        await client.aclose()


async def named_ticket(api: HubUnderTest) -> None:
    patient = await api.client.post("/api/v1/patients", json={"full_name": "Lê Văn Riêng", "date_of_birth": "1960",
                                                                "bhxh_number": "7900000001"})  # fmt: skip
    assert patient.status_code == 201, patient.text
    body = {"department_id": "NOI", "patient_id": patient.json()["id"]}
    assert (await api.client.post("/api/v1/tickets", json=body, headers={"Idempotency-Key": "n"})).status_code == 201


async def test_room_staff_act_for_their_room_only_and_refusals_say_why(
    hub_api: HubUnderTest, staff: dict[str, httpx.AsyncClient]
) -> None:
    await named_ticket(hub_api)  # 0001, sent to room NOI-01
    room1 = staff["bs-phong1"]
    assert (await room1.get(PAGE)).headers["location"] == f"{PAGE}?room=NOI-01"  # straight to their room
    page = await room1.get(f"{PAGE}?room=NOI-01")
    assert "0001" in page.text
    assert "Lê Văn Riêng" not in page.text  # this user may not see names
    token = csrf_of(page.text)
    other_room = await room1.post(f"{PAGE}/call-next", data={"csrf": token, "room": "NOI-02"})
    assert other_room.status_code == 303
    assert "refused=room_not_yours" in other_room.headers["location"]
    called = await room1.post(f"{PAGE}/call-next", data={"csrf": token, "room": "NOI-01"})
    assert "said=0001" in called.headers["location"]
    again = await room1.get(called.headers["location"])
    assert "Đã gọi · Called: 0001" in again.text
    ticket_id = again.text.split('data-ticket="', 1)[1].split('"', 1)[0]
    done = await room1.post(f"{PAGE}/tickets/{ticket_id}/done", data={"csrf": token, "room": "NOI-01"})
    twice = await room1.post(f"{PAGE}/tickets/{ticket_id}/done", data={"csrf": token, "room": "NOI-01"})
    assert "did=done" in done.headers["location"]
    shown = await room1.get(twice.headers["location"])
    assert "Số này đã khám xong · This ticket is already done" in shown.text


async def test_names_only_for_staff_allowed_and_it_configures_areas_and_screens(
    hub_api: HubUnderTest, staff: dict[str, httpx.AsyncClient]
) -> None:
    await named_ticket(hub_api)
    assert "Lê Văn Riêng" in (await staff["dd-noi"].get(PAGE)).text
    admin = staff["it-admin"]
    areas = await admin.get("/fleet/calling/areas")
    token = csrf_of(areas.text)
    bad = await admin.post("/fleet/calling/areas", data={"csrf": token, "id": "sanh", "name_vi": "Sảnh",
                                                         "places": "NOI/KKB-01"})  # fmt: skip
    assert bad.status_code == 400
    assert 'id="area-problem">no room &#39;KKB-01&#39; in &#39;NOI&#39;' in bad.text
    area = {"csrf": token, "id": "sanh", "name_vi": "Sảnh", "places": "NOI, KKB/KKB-01", "speak_english": "on"}
    saved = await admin.post("/fleet/calling/areas", data=area)
    assert saved.status_code == 303
    made = await admin.post("/fleet/calling/screens", data={"csrf": token, "name": "tv-1", "area": "sanh"})
    code = made.text.split('id="new-code">', 1)[1].split("<", 1)[0]
    assert len(code) == 9
    listed = await admin.get("/fleet/calling/areas")
    assert "NOI, KKB/KKB-01" in listed.text
    assert "Chưa đăng ký · Not enrolled" in listed.text


async def test_staff_transfer_a_patient_to_the_lab_and_pause_their_room(
    hub_api: HubUnderTest, staff: dict[str, httpx.AsyncClient]
) -> None:
    await named_ticket(hub_api)
    nurse = staff["dd-noi"]
    token = csrf_of((await nurse.get(PAGE)).text)
    called = await nurse.post(f"{PAGE}/call-next", data={"csrf": token})
    page = await nurse.get(called.headers["location"])
    ticket_id = page.text.split('data-ticket="', 1)[1].split('"', 1)[0]
    moved = await nurse.post(f"{PAGE}/tickets/{ticket_id}/transfer", data={"csrf": token, "to_department": "KKB"})
    assert "did=transfer" in moved.headers["location"]
    assert (await hub_api.client.get(f"/api/v1/tickets/{ticket_id}")).json()["department_id"] == "KKB"
    paused = await nurse.post(f"{PAGE}/rooms/NOI-01/state", data={"csrf": token, "state": "paused"})
    assert "did=state" in paused.headers["location"]
    room = await nurse.get(f"{PAGE}?room=NOI-01")
    assert 'id="call-next" disabled' in room.text
    refused = await nurse.post(f"{PAGE}/call-next", data={"csrf": token, "room": "NOI-01"})
    assert "refused=room_paused" in refused.headers["location"]
