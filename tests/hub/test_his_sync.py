"""Departments and rooms from the HIS into the hub's tables: names, places and hours follow the HIS, what the hub
adds (lane policy, minutes per patient) stays, new ones appear for the kiosks, dropped ones are marked, not deleted;
and the calling pages' hooks (served, transferred) announce what they are told."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import select

from kiosk_hub.db.models import Department, Room, Ticket
from kiosk_hub.events.models import OutboxEvent
from kiosk_hub.his import contract as c
from kiosk_hub.his.models import HisDepartmentLink, HisVisit
from kiosk_hub.his.sync import sync_departments
from tests.hub.conftest import HisHub


async def test_departments_follow_the_his(his_hub: HisHub) -> None:
    hub = his_hub.hub
    with hub.writer() as session:
        session.get(Department, "NOI").minutes_per_patient = 11  # set by the hospital in the hub
        session.commit()
    first = await asyncio.to_thread(sync_departments, hub)
    assert (first.departments_added, first.departments_updated) == (0, 2)
    assert (first.rooms_added, first.rooms_updated, first.missing) == (0, 3, 0)
    with hub.reader() as session:
        noi = session.get(Department, "NOI")
        assert noi.minutes_per_patient == 11  # the hub's own setting stays
        assert json.loads(noi.opening_hours) == [{"days": [1, 2, 3, 4, 5, 6], "opens": "07:00", "closes": "16:30"}]

    catalogue = his_hub.his.departments()
    kept = catalogue.departments[0]
    new = c.HisDepartment(id="PHCN", name_vi="Khoa Phục hồi chức năng", rooms=[c.HisRoom(id="PHCN-01",
                          name_vi="Phòng tập 1")])  # fmt: skip
    his_hub.his.departments = lambda: c.DepartmentCatalogue(departments=[kept, new])  # type: ignore[method-assign]
    second = await asyncio.to_thread(sync_departments, hub)
    assert (second.departments_added, second.rooms_added, second.missing) == (1, 1, 3)  # NHI and its two rooms
    listed = (await his_hub.client.get("/api/v1/departments")).json()["departments"]
    phcn = next(d for d in listed if d["id"] == "PHCN")
    assert phcn["name"] == {"vi": "Khoa Phục hồi chức năng", "en": "Khoa Phục hồi chức năng"}
    assert [r["id"] for r in phcn["rooms"]] == ["PHCN-01"]
    with hub.reader() as session:
        missing = {(link.kind, link.hub_id) for link in session.scalars(select(HisDepartmentLink))
                   if link.missing_since is not None}  # fmt: skip
        assert missing == {("department", "NHI"), ("room", "NHI-01"), ("room", "NHI-02")}
        assert session.get(Room, "NHI-01") is not None  # kept: its tickets and history stay
        assert (session.get(Department, "NHI").active, session.get(Room, "NHI-01").active) == (False, False)
        assert session.get(Department, "PHCN").origin == "his"
        assert session.get(Department, kept.id).active
    assert "NHI" not in [d["id"] for d in listed]  # hidden from kiosks, not deleted

    # IT hides a department the HIS lists; the HIS lists the dropped one again: it comes back, IT's choice stays.
    with hub.writer() as session:
        session.get(Department, kept.id).active = False
        session.commit()
    his_hub.his.departments = lambda: catalogue  # type: ignore[method-assign]
    third = await asyncio.to_thread(sync_departments, hub)
    assert third.missing == 2  # PHCN and its room, which the first catalogue did not have
    with hub.reader() as session:
        assert (session.get(Department, "NHI").active, session.get(Room, "NHI-02").active) == (True, True)
        assert session.get(Department, kept.id).active is False
    listed = [d["id"] for d in (await his_hub.client.get("/api/v1/departments")).json()["departments"]]
    assert "NHI" in listed
    assert kept.id not in listed

    his_hub.his.departments = lambda: c.DepartmentCatalogue(departments=[])  # type: ignore[method-assign]
    assert (await asyncio.to_thread(sync_departments, hub)).skipped  # an empty answer changes nothing


async def test_served_and_transferred_are_announced_and_close_the_visit(his_hub: HisHub) -> None:
    hub = his_hub.hub
    body = {"department_id": "NOI", "patient_id": "p-9"}
    ticket = (await his_hub.client.post("/api/v1/tickets", json=body, headers={"Idempotency-Key": "s"})).json()
    with hub.writer() as session:
        row = session.get(Ticket, ticket["id"])
        hub.feed.transferred(session.connection(), row, hub.clock(), from_department_id="KKB")
        hub.feed.served(session.connection(), row, hub.clock())
        session.commit()
    with hub.reader() as session:
        kinds = [e.type for e in session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq))]
        visit = session.scalars(select(HisVisit)).one()
    assert kinds == ["ticket.issued", "ticket.transferred", "ticket.served"]
    assert visit.goal == "closed"
