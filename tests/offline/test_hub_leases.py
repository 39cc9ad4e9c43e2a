"""The hub's lease desk over its real ASGI app and SQLite: blocks, renewal, return, and idempotent replay."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kiosk_hub.db.models import EntitlementRecheck, Ticket
from tests.hub.conftest import HubUnderTest

PATIENT = {"full_name": "Trần Thị Lệ Thu", "date_of_birth": "1961-04-02", "sex": "female", "id_number": "001161009876"}


async def _lease(api: HubUnderTest, lane: str = "normal") -> dict[str, Any]:
    answer = await api.client.post("/api/v1/leases", json={"department_id": "NOI", "lane": lane})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _registration(lease: dict[str, Any], number: int, key: str, **extra: Any) -> dict[str, Any]:
    return {
        "idempotency_key": key,
        "department_id": "NOI",
        "lane": lease["lane"],
        "number": number,
        "day": lease["day"],
        "issued_at": "2026-11-23T02:10:00+00:00",
        "visit_type": "bhyt",
        **extra,
    }


async def _replay(api: HubUnderTest, *items: dict[str, Any]) -> list[dict[str, Any]]:
    answer = await api.client.post("/api/v1/leases/replay", json={"registrations": list(items)})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["replayed"])


async def test_a_lease_is_a_block_online_tickets_never_reach(hub_api: HubUnderTest) -> None:
    before = (
        await hub_api.client.post("/api/v1/tickets", json={"department_id": "NOI"}, headers={"Idempotency-Key": "a"})
    ).json()
    lease = await _lease(hub_api)
    after = (
        await hub_api.client.post("/api/v1/tickets", json={"department_id": "NOI"}, headers={"Idempotency-Key": "b"})
    ).json()
    assert lease["first_number"] == before["number"] + 1
    assert lease["last_number"] - lease["first_number"] + 1 >= 5
    assert after["number"] == lease["last_number"] + 1


async def test_renewing_returns_the_old_block_and_return_gives_all_back(hub_api: HubUnderTest) -> None:
    first = await _lease(hub_api)
    second = await _lease(hub_api)
    assert second["first_number"] > first["last_number"]
    held = (await hub_api.client.get("/api/v1/leases")).json()["leases"]
    assert [lease["id"] for lease in held] == [second["id"]]
    assert (await hub_api.client.post("/api/v1/leases/return")).json() == {"returned": 1}
    assert (await hub_api.client.get("/api/v1/leases")).json() == {"leases": []}


async def test_a_replay_places_the_ticket_at_its_number_once_and_queues_a_bhxh_recheck(hub_api: HubUnderTest) -> None:
    lease = await _lease(hub_api)
    card = {"card_code": "001161009876", "full_name": PATIENT["full_name"], "date_of_birth": "1961-04-02"}
    item = _registration(lease, lease["first_number"] + 1, "k1", patient=PATIENT, entitlement=card)
    first = (await _replay(hub_api, item))[0]
    again = (await _replay(hub_api, item))[0]
    assert first["outcome"] == "placed"
    assert first["recheck_queued"] is True
    assert first["ticket"]["number"] == lease["first_number"] + 1
    assert again["ticket"]["id"] == first["ticket"]["id"]
    assert again["recheck_queued"] is False
    with hub_api.hub.reader() as session:
        assert len(session.scalars(select(Ticket)).all()) == 1
        rechecks = session.scalars(select(EntitlementRecheck)).all()
        assert [r.card_code for r in rechecks] == ["001161009876"]
        assert rechecks[0].patient_ref is not None


async def test_the_same_patient_registered_twice_while_apart_is_merged(hub_api: HubUnderTest) -> None:
    lease = await _lease(hub_api)
    one = _registration(lease, lease["first_number"], "k1", patient=PATIENT)
    two = _registration(lease, lease["first_number"] + 1, "k2", patient=PATIENT)
    placed, merged = await _replay(hub_api, one, two)
    assert (placed["outcome"], merged["outcome"]) == ("placed", "merged")
    assert merged["ticket"]["id"] == placed["ticket"]["id"]
    assert (await _replay(hub_api, two))[0]["outcome"] == "merged"


async def test_a_ticket_issued_online_whose_answer_was_lost_moves_to_the_printed_number(hub_api: HubUnderTest) -> None:
    lease = await _lease(hub_api)
    online = await hub_api.client.post(
        "/api/v1/tickets", json={"department_id": "NOI"}, headers={"Idempotency-Key": "lost"}
    )
    replayed = (await _replay(hub_api, _registration(lease, lease["first_number"], "lost", visit_type="fee")))[0]
    assert replayed["outcome"] == "renumbered"
    assert replayed["ticket"]["id"] == online.json()["id"]
    assert replayed["ticket"]["number"] == lease["first_number"] != online.json()["number"]


async def test_a_number_outside_the_kiosks_lease_is_refused(hub_api: HubUnderTest) -> None:
    lease = await _lease(hub_api)
    item = _registration(lease, lease["last_number"] + 1, "k1")
    answer = await hub_api.client.post("/api/v1/leases/replay", json={"registrations": [item]})
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "number_not_leased"


async def test_leases_need_the_kiosk_token(hub_api: HubUnderTest) -> None:
    answer = await hub_api.client.post("/api/v1/leases", json={"department_id": "NOI"}, headers={"Authorization": ""})
    assert answer.status_code == 401
