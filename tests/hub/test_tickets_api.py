"""Tickets over the Kiosk HIS API in-process (ASGI): idempotency, reprints, lanes, rollover, cancel, status page."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from tests.hub.conftest import FakeClock, HubUnderTest


async def issue(client: httpx.AsyncClient, key: str, **body: object) -> httpx.Response:
    return await client.post("/api/v1/tickets", json={"department_id": "NOI", **body}, headers={"Idempotency-Key": key})


async def test_a_ticket_carries_number_lane_room_and_status_url(hub_api: HubUnderTest) -> None:
    response = await issue(hub_api.client, "k1")
    assert response.status_code == 201
    ticket = response.json()
    assert (ticket["number"], ticket["lane"], ticket["department_id"]) == (1, "normal", "NOI")
    assert ticket["display_number"] == "0001"
    assert ticket["room"]["id"] == "NOI-01"
    assert ticket["status_url"].startswith("http://hub.test/t/")
    assert ticket["day"] == "2026-11-23"
    assert (ticket["position"], ticket["reprint"]) == (0, False)


async def test_a_retry_with_the_same_key_returns_the_same_ticket(hub_api: HubUnderTest) -> None:
    first = (await issue(hub_api.client, "same")).json()
    retry = await issue(hub_api.client, "same")
    assert retry.status_code == 200
    assert retry.json()["id"] == first["id"]
    assert retry.json()["reprint"] is True
    assert (await issue(hub_api.client, "other")).json()["number"] == 2


async def test_the_same_key_with_another_body_is_refused(hub_api: HubUnderTest) -> None:
    await issue(hub_api.client, "k")
    response = await issue(hub_api.client, "k", lane="priority")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "idempotency_key_reused"


async def test_concurrent_retries_of_one_request_make_one_ticket(hub_api: HubUnderTest) -> None:
    answers = await asyncio.gather(*(issue(hub_api.client, "burst") for _ in range(20)))
    assert len({a.json()["id"] for a in answers}) == 1
    assert sorted(a.status_code for a in answers) == [200] * 19 + [201]


async def test_the_same_patient_today_gets_their_ticket_back(hub_api: HubUnderTest) -> None:
    first = (await issue(hub_api.client, "a", patient_id="p-1")).json()
    again = await issue(hub_api.client, "b", patient_id="p-1")
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["reprint"]
    other_department = await hub_api.client.post(
        "/api/v1/tickets", json={"department_id": "MAT", "patient_id": "p-1"}, headers={"Idempotency-Key": "c"}
    )
    assert other_department.status_code == 201


async def test_a_cancelled_ticket_frees_the_patient_for_a_new_one(hub_api: HubUnderTest) -> None:
    first = (await issue(hub_api.client, "a", patient_id="p-2")).json()
    cancelled = await hub_api.client.post(f"/api/v1/tickets/{first['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["position"] is None
    assert (await hub_api.client.post(f"/api/v1/tickets/{first['id']}/cancel")).status_code == 200
    second = await issue(hub_api.client, "b", patient_id="p-2")
    assert second.status_code == 201
    assert second.json()["number"] == 2


async def test_numbers_restart_at_local_midnight(hub_api: HubUnderTest, clock: FakeClock) -> None:
    clock.now = clock.now.replace(hour=16, minute=59, second=59)  # 23:59:59 in Hà Nội
    before = (await issue(hub_api.client, "late", patient_id="p-3")).json()
    await issue(hub_api.client, "late-2")
    clock.now += timedelta(seconds=2)  # 00:00:01 the next day
    after = await issue(hub_api.client, "early", patient_id="p-3")
    assert before["day"] == "2026-11-23"
    assert before["number"] == 1
    assert after.status_code == 201  # yesterday's ticket is not today's reprint
    assert after.json()["day"] == "2026-11-24"
    assert after.json()["number"] == 1


async def test_priority_and_normal_lanes_number_separately(hub_api: HubUnderTest) -> None:
    n1 = (await issue(hub_api.client, "n1")).json()
    p1 = (await issue(hub_api.client, "p1", lane="priority", priority_reasons=["aged_75_plus"])).json()
    assert (n1["number"], p1["number"]) == (1, 1)
    assert p1["display_number"] == "UT-0001"
    assert p1["position"] == 0  # NOI serves priority strictly first
    refreshed = (await hub_api.client.get(f"/api/v1/tickets/{n1['id']}")).json()
    assert refreshed["position"] == 1


async def call(hub_api: HubUnderTest, department: str) -> str:
    """The HIS calls the next number (kiosks may not)."""
    response = await hub_api.client.post(f"/api/v1/departments/{department}/call-next", headers=hub_api.as_his)
    assert response.status_code == 200, response.text
    return str(response.json()["display_number"])


async def test_interleaved_lanes_call_one_priority_every_n(hub_api: HubUnderTest) -> None:
    # KKB interleaves one priority ticket after every 3 normal ones.
    for i in range(7):
        await hub_api.client.post(
            "/api/v1/tickets", json={"department_id": "KKB"}, headers={"Idempotency-Key": f"n{i}"}
        )
    for i in range(2):
        body = {"department_id": "KKB", "lane": "priority"}
        await hub_api.client.post("/api/v1/tickets", json=body, headers={"Idempotency-Key": f"p{i}"})
    called = [await call(hub_api, "KKB") for _ in range(9)]
    assert called == ["0001", "0002", "0003", "UT-0001", "0004", "0005", "0006", "UT-0002", "0007"]
    empty = await hub_api.client.post("/api/v1/departments/KKB/call-next", headers=hub_api.as_his)
    assert empty.status_code == 409
    assert empty.json()["code"] == "queue_empty"


async def test_positions_promised_match_the_calling_order(hub_api: HubUnderTest) -> None:
    tickets = []
    for i, lane in enumerate(["normal", "priority", "normal", "normal", "priority", "normal", "normal", "normal"]):
        body = {"department_id": "KKB", "lane": lane}
        tickets.append(
            (await hub_api.client.post("/api/v1/tickets", json=body, headers={"Idempotency-Key": str(i)})).json()
        )
    await call(hub_api, "KKB")  # the rhythm carries over from calls already made
    promised = {}
    for t in tickets:
        status = (await hub_api.client.get(f"/api/v1/tickets/{t['id']}")).json()
        if status["position"] is not None:
            promised[status["position"]] = status["display_number"]
    called = [await call(hub_api, "KKB") for _ in range(len(promised))]
    assert called == [promised[i] for i in range(len(promised))]


async def test_the_status_page_shows_the_queue_and_no_personal_data(hub_api: HubUnderTest) -> None:
    patient = (
        await hub_api.client.post("/api/v1/patients/lookup", json={"kind": "patient_code", "value": "BN00000001"})
    ).json()
    ticket = (await issue(hub_api.client, "x", patient_id=patient["id"])).json()
    page = await hub_api.client.get(ticket["status_url"].removeprefix("http://hub.test"), headers={"Authorization": ""})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "0001" in page.text
    assert "Khoa Nội tổng hợp" in page.text
    assert "viewport" in page.text
    assert patient["full_name"] not in page.text
    assert patient["id"] not in page.text
    assert (await hub_api.client.get("/t/not-a-ticket")).status_code == 404


async def test_ticket_requests_are_validated(hub_api: HubUnderTest) -> None:
    no_key = await hub_api.client.post("/api/v1/tickets", json={"department_id": "NOI"})
    assert no_key.status_code == 400
    assert no_key.json()["code"] == "idempotency_key_required"
    unknown = await issue(hub_api.client, "u", department_id="NOPE")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "department_not_found"
    made_up = await issue(hub_api.client, "r", lane="priority", priority_reasons=["knows_the_director"])
    assert made_up.status_code == 422
    bad_lane = await issue(hub_api.client, "v", lane="vip")
    assert bad_lane.status_code == 422
    assert bad_lane.json()["code"] == "validation_failed"
    garbage = await hub_api.client.post(
        "/api/v1/tickets", content=b"{not json", headers={"Idempotency-Key": "w", "Content-Type": "application/json"}
    )
    assert garbage.status_code == 422
    assert garbage.headers["content-type"] == "application/problem+json"
    missing = await hub_api.client.get("/api/v1/tickets/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert missing.json()["code"] == "ticket_not_found"
