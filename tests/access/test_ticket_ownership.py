"""A kiosk reads and cancels only the tickets it issued or was handed back: another kiosk's ticket is answered as if
it did not exist, and the "same patient today" reprint hands the ticket to the kiosk the patient stands at, with a
recorded grant (over the hub's ASGI app)."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from kiosk_hub.access.models import TicketGrant
from tests.hub.conftest import HubUnderTest, enrol


def other_kiosk(api: HubUnderTest, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {enrol(api.hub, name)}"}


async def issue(
    client: httpx.AsyncClient, key: str, headers: dict[str, str] | None = None, **body: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/tickets", json={"department_id": "NOI", **body}, headers={"Idempotency-Key": key, **(headers or {})}
    )


def grants(api: HubUnderTest) -> list[tuple[str, str, str]]:
    with api.hub.reader() as session:
        rows = session.scalars(select(TicketGrant).order_by(TicketGrant.granted_at)).all()
        return [(g.ticket_id, g.kiosk_id, g.reason) for g in rows]


async def test_another_kiosks_ticket_is_answered_as_if_it_did_not_exist(hub_api: HubUnderTest) -> None:
    mine = (await issue(hub_api.client, "a-1")).json()
    kiosk_b = other_kiosk(hub_api, "kiosk-b")
    seen = await hub_api.client.get(f"/api/v1/tickets/{mine['id']}", headers=kiosk_b)
    unknown = await hub_api.client.get(f"/api/v1/tickets/{uuid.uuid4()}", headers=kiosk_b)
    assert (seen.status_code, seen.json()) == (unknown.status_code, unknown.json()) == (404, unknown.json())
    assert unknown.json()["code"] == "ticket_not_found"
    cancelled = await hub_api.client.post(f"/api/v1/tickets/{mine['id']}/cancel", headers=kiosk_b)
    assert (cancelled.status_code, cancelled.json()["code"]) == (404, "ticket_not_found")
    still = await hub_api.client.get(f"/api/v1/tickets/{mine['id']}")
    assert still.json()["status"] == "waiting"  # kiosk B changed nothing
    assert (await hub_api.client.post(f"/api/v1/tickets/{mine['id']}/cancel")).json()["status"] == "cancelled"


async def test_the_same_patient_at_another_kiosk_gets_the_ticket_and_the_right_to_it(hub_api: HubUnderTest) -> None:
    first = (await issue(hub_api.client, "a-1", patient_id="p-7")).json()
    kiosk_b, kiosk_c = other_kiosk(hub_api, "kiosk-b"), other_kiosk(hub_api, "kiosk-c")
    assert grants(hub_api) == []
    again = await issue(hub_api.client, "b-1", kiosk_b, patient_id="p-7")
    assert again.status_code == 200
    reprint = again.json()
    # What the kiosk prints: the same number, department, room and status link; and a handle it may now use.
    assert reprint["reprint"] is True
    assert {k: reprint[k] for k in ("id", "number", "department_id", "room", "status_url")} == {
        k: first[k] for k in ("id", "number", "department_id", "room", "status_url")
    }
    kiosk_b_id = hub_api.hub.gate.kiosk_id(kiosk_b["Authorization"].removeprefix("Bearer "))
    assert grants(hub_api) == [(first["id"], kiosk_b_id, "reprint")]
    assert (await hub_api.client.get(f"/api/v1/tickets/{first['id']}", headers=kiosk_b)).status_code == 200
    assert (await hub_api.client.get(f"/api/v1/tickets/{first['id']}", headers=kiosk_c)).status_code == 404
    # The same reprint twice records one grant; the issuing kiosk keeps its own right.
    assert (await issue(hub_api.client, "b-2", kiosk_b, patient_id="p-7")).status_code == 200
    assert len(grants(hub_api)) == 1
    assert (await hub_api.client.post(f"/api/v1/tickets/{first['id']}/cancel", headers=kiosk_b)).status_code == 200
    assert (await hub_api.client.get(f"/api/v1/tickets/{first['id']}")).json()["status"] == "cancelled"


async def test_a_retry_of_the_issuing_kiosk_grants_nothing(hub_api: HubUnderTest) -> None:
    first = await issue(hub_api.client, "a-1", patient_id="p-8")
    retry = await issue(hub_api.client, "a-1", patient_id="p-8")
    same_patient = await issue(hub_api.client, "a-2", patient_id="p-8")
    assert {first.json()["id"], retry.json()["id"], same_patient.json()["id"]} == {first.json()["id"]}
    assert grants(hub_api) == []


async def test_a_replayed_offline_ticket_merged_into_another_kiosks_grants_it(hub_api: HubUnderTest) -> None:
    online = (await issue(hub_api.client, "a-1", patient_id="p-9")).json()
    kiosk_b = other_kiosk(hub_api, "kiosk-b")
    lease = (await hub_api.client.post("/api/v1/leases", json={"department_id": "NOI"}, headers=kiosk_b)).json()
    entry = {
        "idempotency_key": "offline-1", "department_id": "NOI", "lane": "normal", "number": lease["first_number"],
        "day": lease["day"], "issued_at": "2026-11-23T02:10:00+00:00", "visit_type": "fee", "patient_id": "p-9",
    }  # fmt: skip
    replayed = await hub_api.client.post("/api/v1/leases/replay", json={"registrations": [entry]}, headers=kiosk_b)
    assert replayed.status_code == 200, replayed.text
    (answer,) = replayed.json()["replayed"]
    assert (answer["outcome"], answer["ticket"]["id"]) == ("merged", online["id"])
    assert [reason for _t, _k, reason in grants(hub_api)] == ["replay"]
    assert (await hub_api.client.get(f"/api/v1/tickets/{online['id']}", headers=kiosk_b)).status_code == 200
