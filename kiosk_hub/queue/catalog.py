"""Departments and rooms as the queue book needs them, cached: they change by configuration, not per ticket.

A change made in the console clears this process's cache at once (`forget`); other hub processes see it within
CACHE_SECONDS. Hidden departments stay here (their tickets are still read); `active` says whether new tickets may be
issued, and `rooms` holds the rooms patients are sent to now (hidden rooms are only looked up for old tickets)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub import wire
from kiosk_hub.db.models import Department, LanePolicy, Room
from kiosk_hub.queue.departments import department_names, room_wire

CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class DepartmentInfo:
    id: str
    names: wire.LocalizedText
    policy: LanePolicy
    priority_every: int
    minutes_per_patient: int
    rooms: tuple[wire.Room, ...]
    active: bool = True
    hidden_rooms: tuple[wire.Room, ...] = ()

    def room(self, room_id: str | None) -> wire.Room | None:
        return next((r for r in self.rooms + self.hidden_rooms if r.id == room_id), None)


class Catalog:
    def __init__(self, reader: sessionmaker[Session]) -> None:
        self._reader = reader
        self._departments: dict[str, DepartmentInfo] = {}
        self._expires = 0.0

    def department(self, department_id: str) -> DepartmentInfo | None:
        if time.monotonic() >= self._expires or department_id not in self._departments:
            self._reload()
        return self._departments.get(department_id)

    def open_for_tickets(self, department_id: str) -> DepartmentInfo | None:
        """The department if kiosks may issue tickets for it now (known and not hidden)."""
        found = self.department(department_id)
        return found if found is not None and found.active else None

    def forget(self) -> None:
        self._expires = 0.0

    def _reload(self) -> None:
        with self._reader() as session:
            rooms: dict[tuple[str, bool], list[wire.Room]] = {}
            for room in session.scalars(select(Room).order_by(Room.id)):
                rooms.setdefault((room.department_id, room.active), []).append(room_wire(room))
            self._departments = {
                d.id: DepartmentInfo(
                    id=d.id,
                    names=department_names(d),
                    policy=LanePolicy(d.lane_policy),
                    priority_every=d.priority_every,
                    minutes_per_patient=d.minutes_per_patient,
                    rooms=tuple(rooms.get((d.id, True), [])),
                    active=d.active,
                    hidden_rooms=tuple(rooms.get((d.id, False), [])),
                )
                for d in session.scalars(select(Department))
            }
        self._expires = time.monotonic() + CACHE_SECONDS
