"""The HIS slow (2 s against a 1 s deadline), failing (5xx), down, or answering nonsense: the patient still gets a
number at once, the visit waits in the hub, and it is opened in the HIS exactly once when the HIS answers again.
The HIS is the reference HIS over loopback HTTP; the hub's visit rounds run here, with the clock moved by hand."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from kiosk_hub.events.models import OutboxEvent
from kiosk_hub.his.models import HisVisit, PendingRegistration
from tests.hub.conftest import HisHub

PATIENT = {
    "full_name": "Trần Thị Mai",
    "date_of_birth": "1985-07-20",
    "sex": "female",
    "id_number": "001185012345",
    "bhyt_code": "GD4010185012345",
}


async def register(h: HisHub, body: dict[str, str] = PATIENT) -> dict[str, object]:
    response = await h.client.post("/api/v1/patients", json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


async def ticket_for(h: HisHub, patient_id: str, key: str = "k1") -> dict[str, object]:
    before = sum(h.his.requests.values())
    response = await h.client.post(
        "/api/v1/tickets",
        json={"department_id": "NOI", "patient_id": patient_id, "visit_type": "bhyt"},
        headers={"Idempotency-Key": key},
    )
    assert response.status_code == 201, response.text
    assert sum(h.his.requests.values()) == before  # issuing a number never waits on the HIS
    return response.json()  # type: ignore[no-any-return]


async def rounds_until_settled(h: HisHub, most: int = 20) -> int:
    """Visit rounds, the clock moved past each backoff, until nothing is due; how many rounds it took."""
    for n in range(1, most + 1):
        await asyncio.to_thread(h.hub.visits.run_round)
        with h.hub.reader() as session:
            open_work = session.scalars(
                select(HisVisit).where(HisVisit.goal != HisVisit.done, HisVisit.failed.is_(False))
            ).all()
        if not open_work:
            return n
        h.clock.now += timedelta(seconds=61)
    raise AssertionError("visits never settled")


def visits(h: HisHub) -> list[HisVisit]:
    with h.hub.reader() as session:
        return list(session.scalars(select(HisVisit)))


def events(h: HisHub, kind: str) -> list[dict[str, object]]:
    with h.hub.reader() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.type == kind).order_by(OutboxEvent.seq))
        return [json.loads(row.data) for row in rows]


async def test_a_healthy_his_gets_the_visit_with_the_card_check(his_hub: HisHub) -> None:
    patient = await register(his_hub)
    assert patient["id"].startswith("BN")  # the HIS's own patient id
    check = {"card_code": PATIENT["bhyt_code"], "full_name": PATIENT["full_name"], "date_of_birth": "1985-07-20",
             "patient_id": patient["id"]}  # fmt: skip
    await his_hub.client.post("/api/v1/entitlement/check", json=check)
    ticket = await ticket_for(his_hub, str(patient["id"]))
    assert await rounds_until_settled(his_hub) == 1
    (opening,) = his_hub.his.openings
    assert (opening.ticket_id, opening.queue_number, opening.department_id) == (ticket["id"], ticket["number"], "NOI")
    assert opening.patient_id == patient["id"]
    assert opening.entitlement is not None
    assert opening.entitlement.officer_name == "Nguyễn Thị Tra Cứu"
    (visit,) = visits(his_hub)
    assert visit.visit_code == his_hub.his.visits[visit.id].visit_code
    assert [e["visit_code"] for e in events(his_hub, "visit.opened")] == [visit.visit_code]


@pytest.mark.parametrize("fault", ["slow", "failing", "nonsense"])
async def test_a_troubled_his_opens_each_visit_exactly_once(his_hub: HisHub, fault: str) -> None:
    patient = await register(his_hub)
    if fault == "slow":
        his_hub.his.faults.delay_seconds = 2.0  # it does the work, then answers after the hub's 1 s deadline
    elif fault == "failing":
        his_hub.his.faults.fail_next = 6
    else:
        his_hub.his.faults.nonsense_next = 3  # it does the work, then answers HTML
    await ticket_for(his_hub, str(patient["id"]))
    await asyncio.to_thread(his_hub.hub.visits.run_round)
    (visit,) = visits(his_hub)
    assert visit.done == ""
    assert visit.last_error
    his_hub.his.faults.delay_seconds = 0
    rounds = await rounds_until_settled(his_hub)
    assert rounds >= 1
    (visit,) = visits(his_hub)
    assert visit.done == "open"
    assert not visit.failed
    assert his_hub.his.opened_count == {visit.id: 1}  # however often the hub asked: one visit in the HIS
    assert len(events(his_hub, "visit.opened")) == 1


async def test_a_his_that_is_down_still_numbers_the_patient_and_catches_up(his_hub: HisHub) -> None:
    his_hub.his.faults.down = True
    lookup = await his_hub.client.post("/api/v1/patients/lookup", json={"kind": "cccd", "value": PATIENT["id_number"]})
    assert (lookup.status_code, lookup.json()["code"]) == (404, "his_unavailable")
    provisional = await register(his_hub)
    assert str(provisional["id"]).startswith("pending:")
    assert provisional["id_number_masked"] == "••••••••2345"
    again = await register(his_hub)  # a retry, or the same patient at another kiosk: the same provisional patient
    assert again["id"] == provisional["id"]
    ticket = await ticket_for(his_hub, str(provisional["id"]))
    assert ticket["number"] == 1
    for _ in range(3):
        await asyncio.to_thread(his_hub.hub.visits.run_round)
        his_hub.clock.now += timedelta(seconds=61)
    assert his_hub.his.patients == {}
    assert his_hub.his.openings == []

    his_hub.his.faults.down = False
    await rounds_until_settled(his_hub)
    (patient,) = his_hub.his.patients.values()
    assert patient.id_number == PATIENT["id_number"]
    (visit,) = visits(his_hub)
    assert visit.his_patient_id == patient.patient_id
    assert his_hub.his.opened_count == {visit.id: 1}
    with his_hub.hub.reader() as session:
        (kept,) = session.scalars(select(PendingRegistration)).all()
    assert kept.registration is None  # nothing personal stays once the HIS has the patient
    assert [e["patient_ref"] for e in events(his_hub, "patient.registered")] == [patient.patient_id]


async def test_a_ticket_cancelled_before_the_his_answered_never_opens_a_visit(his_hub: HisHub) -> None:
    patient = await register(his_hub)
    his_hub.his.faults.down = True
    ticket = await ticket_for(his_hub, str(patient["id"]))
    await his_hub.client.post(f"/api/v1/tickets/{ticket['id']}/cancel")
    his_hub.his.faults.down = False
    await rounds_until_settled(his_hub)
    (visit,) = visits(his_hub)
    assert visit.done == "cancelled"
    assert his_hub.his.openings == []  # never asked to open, so nothing to cancel


async def test_a_cancel_after_an_unanswered_opening_reaches_the_his(his_hub: HisHub) -> None:
    patient = await register(his_hub)
    his_hub.his.faults.nonsense_next = 1  # the opening happens, the answer is garbage
    ticket = await ticket_for(his_hub, str(patient["id"]))
    await asyncio.to_thread(his_hub.hub.visits.run_round)
    await his_hub.client.post(f"/api/v1/tickets/{ticket['id']}/cancel")
    his_hub.clock.now += timedelta(seconds=61)
    await rounds_until_settled(his_hub)
    (visit,) = visits(his_hub)
    assert visit.done == "cancelled"
    assert his_hub.his.visit_status == {visit.id: "cancelled"}


async def test_a_refusing_his_fails_the_visit_for_the_desk(his_hub: HisHub) -> None:
    unknown = "BN-KHONG-CO"  # a patient the HIS does not know: it refuses the visit (no retry helps)
    await ticket_for(his_hub, unknown)
    await asyncio.to_thread(his_hub.hub.visits.run_round)
    (visit,) = visits(his_hub)
    assert visit.failed
    assert visit.last_error == "patient_not_found"
    (failed,) = events(his_hub, "visit.failed")
    assert failed["error"] == "patient_not_found"


async def test_a_his_that_is_down_is_asked_once_a_round_not_once_a_visit(his_hub: HisHub) -> None:
    ids = []
    for n in range(5):
        body = {**PATIENT, "id_number": f"00118501234{n}", "bhyt_code": f"GD401018501234{n}"}
        ids.append(str((await register(his_hub, body))["id"]))
    his_hub.his.faults.down = True
    for n, patient_id in enumerate(ids):
        await ticket_for(his_hub, patient_id, key=f"k{n}")
    await asyncio.to_thread(his_hub.hub.visits.run_round)
    assert his_hub.his.requests["/visits"] == 2  # the first visit, sent twice (a 503 on an idempotent call)
    waiting = visits(his_hub)
    assert len(waiting) == 5
    assert all(v.last_error and v.done == "" for v in waiting)
    his_hub.his.faults.down = False
    await rounds_until_settled(his_hub)
    assert sorted(his_hub.his.opened_count.values()) == [1] * 5
