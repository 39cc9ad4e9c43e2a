"""Departments and rooms as the kiosk shows them: names, where they are, opening hours, queue and wait."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.domain.dates import VN_TZ
from kiosk.domain.ticket import Lane
from kiosk_hub import wire
from kiosk_hub.db.models import Department, LanePolicy, Room, Ticket, TicketStatus
from kiosk_hub.queue.estimate import ConfiguredPace, WaitEstimator
from kiosk_hub.queue.state import tickets_ahead


def department_names(department: Department) -> wire.LocalizedText:
    return wire.LocalizedText(vi=department.name_vi, en=department.name_en)


def room_wire(room: Room) -> wire.Room:
    return wire.Room(
        id=room.id,
        name=wire.LocalizedText(vi=room.name_vi, en=room.name_en),
        location=wire.LocalizedText(vi=room.location_vi, en=room.location_en),
    )


def opening_hours(department: Department) -> list[wire.OpeningPeriod]:
    return [wire.OpeningPeriod.model_validate(p) for p in json.loads(department.opening_hours)]


def is_open(periods: list[wire.OpeningPeriod], moment: datetime) -> bool:
    local = moment.astimezone(VN_TZ)
    hhmm = local.strftime("%H:%M")
    return any(local.isoweekday() in p.days and p.opens <= hhmm < p.closes for p in periods)


def list_departments(
    session: Session, moment: datetime, estimator: WaitEstimator | None = None
) -> list[wire.Department]:
    """Every department kiosks may show, with its rooms, today's queue and the wait of a normal ticket issued now
    (the hub's learned pace; the configured minutes per patient without one), in the hospital's display order."""
    estimator = estimator or ConfiguredPace()
    day = moment.astimezone(VN_TZ).date()
    rooms: dict[str, list[Room]] = {}
    for room in session.scalars(select(Room).where(Room.active.is_(True)).order_by(Room.id)):
        rooms.setdefault(room.department_id, []).append(room)
    waiting = dict(
        session.execute(
            select(Ticket.department_id, func.count())
            .where(Ticket.day == day, Ticket.status == TicketStatus.WAITING)
            .group_by(Ticket.department_id)
        ).all()
    )
    result = []
    shown = select(Department).where(Department.active.is_(True)).order_by(Department.sort_order, Department.id)
    for dep in session.scalars(shown):
        periods = opening_hours(dep)
        dep_rooms = rooms.get(dep.id, [])
        ahead = (
            tickets_ahead(session, dep.id, LanePolicy(dep.lane_policy), dep.priority_every, day, Lane.NORMAL, None)
            if waiting.get(dep.id)
            else 0
        )
        policy = LanePolicy(dep.lane_policy)
        result.append(
            wire.Department(
                id=dep.id,
                name=department_names(dep),
                location=wire.LocalizedText(vi=dep.location_vi, en=dep.location_en),
                rooms=[room_wire(r) for r in dep_rooms],
                opening_hours=periods,
                open_now=is_open(periods, moment),
                lane_policy=policy,
                priority_every=dep.priority_every if policy is LanePolicy.INTERLEAVED else None,
                queue_length=int(waiting.get(dep.id, 0)),
                wait_estimate_minutes=estimator.minutes(dep.id, dep.minutes_per_patient, len(dep_rooms), ahead, moment),
            )
        )
    return result
