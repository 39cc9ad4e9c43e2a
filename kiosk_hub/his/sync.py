"""Departments and rooms from the HIS into the hub's own tables (which stay the source of truth for the kiosks):
on a schedule (`his_loop`) and on demand (`kiosk-hub his sync`).

Names, locations and opening hours follow the HIS; what the hub adds (lane policy, the priority rhythm, minutes
per patient, display order) is kept for rows it has. Rows that came from the HIS are listed in
`his_department_links` and carry the origin `his`; one the HIS no longer lists is marked `missing_since` there (and
logged) and hidden from kiosks rather than deleted: its tickets and history stay, and it shows again when the HIS
lists it again. One an admin hid in the console stays hidden whatever the HIS says.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk_hub.db.models import Department, LanePolicy, Origin, Room
from kiosk_hub.his import contract as c
from kiosk_hub.his.models import HisDepartmentLink

if TYPE_CHECKING:
    from kiosk_hub.hub import Hub

log = logging.getLogger("kiosk_hub.his.sync")


@dataclass(frozen=True)
class SyncReport:
    departments_added: int = 0
    departments_updated: int = 0
    rooms_added: int = 0
    rooms_updated: int = 0
    missing: int = 0
    skipped: str | None = None


def sync_departments(hub: Hub) -> SyncReport:
    if getattr(hub.his, "keeps_hub_catalogue", False):
        return SyncReport(skipped="the adapter's catalogue is the hub's own tables")
    catalogue = hub.his.departments()
    if not catalogue.departments:
        # An empty answer is more likely a fault than a hospital without departments: change nothing.
        log.warning("the HIS listed no departments: the hub's catalogue is left as it is")
        return SyncReport(skipped="the HIS listed no departments")
    with hub.writer() as session:
        report = apply_catalogue(session, catalogue, hub.clock())
        session.commit()
    hub.queue.catalog.forget()  # this process lists the new state at once; others within their cache's life
    log.info("department sync: %s", report)
    return report


def apply_catalogue(session: Session, catalogue: c.DepartmentCatalogue, now: datetime) -> SyncReport:
    counts = {"departments_added": 0, "departments_updated": 0, "rooms_added": 0, "rooms_updated": 0}
    seen: set[tuple[str, str]] = set()
    for order, his_dep in enumerate(catalogue.departments):
        added = _upsert_department(session, his_dep, order)
        counts["departments_added" if added else "departments_updated"] += 1
        seen.add(("department", his_dep.id))
        for room in his_dep.rooms:
            added = _upsert_room(session, his_dep.id, room)
            counts["rooms_added" if added else "rooms_updated"] += 1
            seen.add(("room", room.id))
    session.flush()
    missing = _link(session, seen, now)
    return SyncReport(
        departments_added=counts["departments_added"],
        departments_updated=counts["departments_updated"],
        rooms_added=counts["rooms_added"],
        rooms_updated=counts["rooms_updated"],
        missing=missing,
    )


def _upsert_department(session: Session, d: c.HisDepartment, order: int) -> bool:
    row = session.get(Department, d.id)
    hours = json.dumps([p.model_dump() for p in d.opening_hours])
    added = row is None
    if row is None:
        row = Department(
            id=d.id,
            lane_policy=LanePolicy.STRICT.value,
            priority_every=3,
            minutes_per_patient=6,
            sort_order=order,
        )
        session.add(row)
    row.origin = Origin.HIS
    row.name_vi, row.name_en = d.name_vi, d.name_en or d.name_vi
    row.location_vi, row.location_en = d.location_vi, d.location_en or d.location_vi
    if d.opening_hours or added:
        row.opening_hours = hours
    return added


def _upsert_room(session: Session, department_id: str, r: c.HisRoom) -> bool:
    row = session.get(Room, r.id)
    added = row is None
    if row is None:
        row = Room(id=r.id, department_id=department_id)
        session.add(row)
    row.department_id = department_id
    row.name_vi, row.name_en = r.name_vi, r.name_en or r.name_vi
    row.location_vi, row.location_en = r.location_vi, r.location_en or r.location_vi
    return added


def _link(session: Session, seen: set[tuple[str, str]], now: datetime) -> int:
    links = {(link.kind, link.hub_id): link for link in session.scalars(select(HisDepartmentLink))}
    for kind, hub_id in seen:
        link = links.get((kind, hub_id))
        if link is None:
            session.add(HisDepartmentLink(kind=kind, hub_id=hub_id, synced_at=now))
            continue
        if link.missing_since is not None:  # hidden because the HIS had dropped it: listed again, shown again
            _set_active(session, kind, hub_id, active=True)
        link.synced_at, link.missing_since = now, None
    missing = 0
    for key, link in links.items():
        if key not in seen:
            missing += 1
            if link.missing_since is None:
                link.missing_since = now
                _set_active(session, link.kind, link.hub_id, active=False)
                log.warning("the HIS no longer lists %s %s: kept, hidden from kiosks", link.kind, link.hub_id)
    return missing


def _set_active(session: Session, kind: str, hub_id: str, *, active: bool) -> None:
    row: Department | Room | None = (
        session.get(Department, hub_id) if kind == "department" else session.get(Room, hub_id)
    )
    if row is not None:
        row.active = active
