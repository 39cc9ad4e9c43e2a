"""Departments and rooms in the hub's store: what an import would change, the import, one department saved from the
console, the kiosk-visible order and the active flag. Every change is one audit entry in the same transaction.

Nothing is deleted: a department or room left out is hidden (`active` false), so tickets, bookings and counters
that name it stay whole. An import touches only the departments in the file (their rooms not in the file are
hidden); the hub's other departments are kept as they are and listed in the plan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk_hub.catalogue.files import Problem, Reading
from kiosk_hub.catalogue.records import DepartmentRecord, RoomRecord
from kiosk_hub.db.models import Department, Origin, Room
from kiosk_hub.explain import Bilingual
from kiosk_hub.fleet import audit


@dataclass
class ImportPlan:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # in the hub, not in the file: left as they are
    rooms_hidden: list[str] = field(default_factory=list)  # rooms of imported departments left out of the file
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "problems"}


def records(session: Session) -> list[DepartmentRecord]:
    """Every department (hidden ones too) with its rooms, in the kiosk's display order: the export."""
    rooms: dict[str, list[RoomRecord]] = {}
    for room in session.scalars(select(Room).order_by(Room.id)):
        rooms.setdefault(room.department_id, []).append(_room_record(room))
    departments = session.scalars(select(Department).order_by(Department.sort_order, Department.id))
    return [_record(d, rooms.get(d.id, [])) for d in departments]


def origins(session: Session) -> dict[str, str]:
    """Each department's origin (console, import, his)."""
    return dict(session.execute(select(Department.id, Department.origin)).all())


def record_of(session: Session, department_id: str) -> DepartmentRecord | None:
    department = session.get(Department, department_id)
    if department is None:
        return None
    rooms = session.scalars(select(Room).where(Room.department_id == department_id).order_by(Room.id))
    return _record(department, [_room_record(r) for r in rooms])


def _record(department: Department, rooms: list[RoomRecord]) -> DepartmentRecord:
    return DepartmentRecord.model_validate(
        {
            **{name: getattr(department, name) for name in ("id", "name_vi", "name_en", "location_vi", "location_en")},
            "opening_hours": json.loads(department.opening_hours),
            "lane_policy": department.lane_policy,
            "priority_every": department.priority_every,
            "minutes_per_patient": department.minutes_per_patient,
            "order": department.sort_order,
            "active": department.active,
            "rooms": rooms,
        }
    )


def _room_record(room: Room) -> RoomRecord:
    fields = ("id", "name_vi", "name_en", "location_vi", "location_en", "active")
    return RoomRecord.model_validate({name: getattr(room, name) for name in fields})


def plan_import(session: Session, reading: Reading) -> ImportPlan:
    """What importing the file would do; its problems (the file's, and rooms that belong to another department)."""
    plan = ImportPlan(problems=list(reading.problems))
    in_file = {r.id for r in reading.departments}
    plan.kept = sorted(set(session.scalars(select(Department.id))) - in_file)
    owners: dict[str, str] = dict(session.execute(select(Room.id, Room.department_id)).all())
    for record in reading.departments:
        for room in record.rooms:
            owner = owners.get(room.id)
            if owner is not None and owner != record.id:
                line = reading.lines.get(("room", room.id))
                plan.problems.append(Problem(line, "room_id", Bilingual(
                    f"phòng '{room.id}' đã thuộc khoa '{owner}'; đặt mã phòng khác",
                    f"room '{room.id}' already belongs to department '{owner}'; give it another id")))  # fmt: skip
        before = record_of(session, record.id)
        if before is None:
            plan.added.append(record.id)
            continue
        listed = {room.id for room in record.rooms}
        plan.rooms_hidden += [r.id for r in before.rooms if r.id not in listed and r.active]
        (plan.unchanged if before == _after_import(before, record) else plan.changed).append(record.id)
    plan.problems.sort(key=lambda p: p.line or 0)  # in the file's order, as IT reads it
    return plan


def _after_import(before: DepartmentRecord, record: DepartmentRecord) -> DepartmentRecord:
    """The department as the import leaves it: its rooms left out hidden, its order kept when the file has none."""
    listed = {room.id for room in record.rooms}
    hidden = [r.model_copy(update={"active": False}) for r in before.rooms if r.id not in listed]
    rooms = sorted([*record.rooms, *hidden], key=lambda r: r.id)
    order = record.order if record.order is not None else before.order
    return record.model_copy(update={"rooms": rooms, "order": order})


def apply_import(session: Session, reading: Reading, actor: str, now: datetime) -> ImportPlan:
    """Write the file's departments (nothing when it has problems); the caller commits."""
    plan = plan_import(session, reading)
    if plan.problems:
        return plan
    next_order = (session.scalar(select(func.max(Department.sort_order))) or 0) + 1
    for record in reading.departments:
        if record.id in plan.added and record.order is None:
            record, next_order = record.model_copy(update={"order": next_order}), next_order + 1
        _write(session, record, Origin.IMPORT)
    audit.record(session, now, actor, "departments.imported", f"{len(reading.departments)}",
                 **{k: v for k, v in plan.summary().items() if v and k != "unchanged"})  # fmt: skip
    return plan


def save_department(session: Session, record: DepartmentRecord, actor: str, now: datetime, *, new: bool) -> None:
    """One department from the console's form; KeyError / ValueError say why it cannot be saved."""
    existing = session.get(Department, record.id)
    if new and existing is not None:
        raise ValueError("department_exists")
    if not new and existing is None:
        raise KeyError(record.id)
    owners: dict[str, str] = dict(session.execute(select(Room.id, Room.department_id)).all())
    taken = [room.id for room in record.rooms if owners.get(room.id, record.id) != record.id]
    if taken:
        raise ValueError("room_taken:" + ",".join(taken))
    if record.order is None:
        order = existing.sort_order if existing else (session.scalar(select(func.max(Department.sort_order))) or 0) + 1
        record = record.model_copy(update={"order": order})
    _write(session, record, Origin.CONSOLE)
    audit.record(session, now, actor, "department.created" if new else "department.saved", record.id)


def _write(session: Session, record: DepartmentRecord, origin: Origin) -> None:
    department = session.get(Department, record.id)
    if department is None:
        department = Department(id=record.id, origin=origin, sort_order=record.order or 0)
        session.add(department)
    for name in ("name_vi", "name_en", "location_vi", "location_en", "priority_every", "minutes_per_patient"):
        setattr(department, name, getattr(record, name))
    department.opening_hours = json.dumps(record.opening_hours)
    department.lane_policy = record.lane_policy.value
    department.active = record.active
    if record.order is not None:
        department.sort_order = record.order
    session.flush()
    listed = {room.id for room in record.rooms}
    for room in session.scalars(select(Room).where(Room.department_id == record.id)):
        if room.id not in listed:
            room.active = False
    for given in record.rooms:
        room = session.get(Room, given.id) or Room(id=given.id, department_id=record.id)
        for name in ("name_vi", "name_en", "location_vi", "location_en", "active"):
            setattr(room, name, getattr(given, name))
        session.add(room)


def move(session: Session, department_id: str, step: int, actor: str, now: datetime) -> bool:
    """Move a department one place up (-1) or down (+1) in the kiosk's list; False when it is not there."""
    order = list(session.scalars(select(Department).order_by(Department.sort_order, Department.id)))
    at = next((i for i, d in enumerate(order) if d.id == department_id), None)
    if at is None:
        return False
    to = min(max(at + step, 0), len(order) - 1)
    order.insert(to, order.pop(at))
    for position, department in enumerate(order):
        department.sort_order = position
    audit.record(session, now, actor, "department.moved", department_id, position=to)
    return True


def set_active(session: Session, department_id: str, active: bool, actor: str, now: datetime) -> bool:
    department = session.get(Department, department_id)
    if department is None:
        return False
    department.active = active
    audit.record(session, now, actor, "department.shown" if active else "department.hidden", department_id)
    return True
