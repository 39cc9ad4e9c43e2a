"""Waiting-room areas: which departments and rooms a screen shows (configured in the console), and what a screen of
an area shows now: the current call of each room, the last calls, how many wait. Numbers and rooms only — never a
name: these are public screens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kiosk.domain.dates import VN_TZ
from kiosk_hub.calling.estimate import expected_wait
from kiosk_hub.calling.models import CallingArea, CallingAreaPlace, CallingRoom, CallKind, CallLogEntry
from kiosk_hub.db.models import Department, Room, Ticket, TicketStatus
from kiosk_hub.queue.catalog import Catalog
from kiosk_hub.queue.estimate import WaitEstimator

AREA_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
HOUR = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
AT_ROOM = (TicketStatus.CALLED.value, TicketStatus.SERVING.value)


class AreaError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class AreaSettings:
    id: str
    name_vi: str
    name_en: str
    places: tuple[tuple[str, str | None], ...]  # (department, room or None for all its rooms)
    recent_calls: int = 6
    speak_english: bool = False
    volume: int = 80
    quiet_from: str | None = None
    quiet_until: str | None = None


def save_area(session: Session, area: AreaSettings) -> None:
    """Create or replace an area; refuses an unknown department or room, a bad id or quiet hours."""
    if not AREA_ID.match(area.id):
        raise AreaError("bad_id", "an area id is 1-32 letters, digits, - or _")
    if not area.name_vi.strip() or not area.places:
        raise AreaError("incomplete", "an area needs a Vietnamese name and at least one department or room")
    for hour in (area.quiet_from, area.quiet_until):
        if hour is not None and not HOUR.match(hour):
            raise AreaError("bad_hour", "quiet hours are HH:MM")
    for department_id, room_id in area.places:
        if session.get(Department, department_id) is None:
            raise AreaError("unknown_department", f"no department {department_id!r}")
        room = session.get(Room, room_id) if room_id else None
        if room_id and (room is None or room.department_id != department_id):
            raise AreaError("unknown_room", f"no room {room_id!r} in {department_id!r}")
    row = session.get(CallingArea, area.id) or CallingArea(id=area.id)
    row.name_vi, row.name_en = area.name_vi.strip(), area.name_en.strip() or area.name_vi.strip()
    row.recent_calls = max(1, min(12, area.recent_calls))
    row.speak_english, row.volume = area.speak_english, max(0, min(100, area.volume))
    row.quiet_from, row.quiet_until = area.quiet_from, area.quiet_until
    session.merge(row)
    session.execute(delete(CallingAreaPlace).where(CallingAreaPlace.area_id == area.id))
    for department_id, room_id in area.places:
        session.add(CallingAreaPlace(area_id=area.id, department_id=department_id, room_id=room_id))


def load_area(session: Session, area_id: str) -> AreaSettings | None:
    row = session.get(CallingArea, area_id)
    if row is None:
        return None
    places = session.execute(
        select(CallingAreaPlace.department_id, CallingAreaPlace.room_id)
        .where(CallingAreaPlace.area_id == area_id)
        .order_by(CallingAreaPlace.id)
    ).all()
    return AreaSettings(row.id, row.name_vi, row.name_en, tuple((d, r) for d, r in places), row.recent_calls,
                        row.speak_english, row.volume, row.quiet_from, row.quiet_until)  # fmt: skip


def list_areas(session: Session) -> list[AreaSettings]:
    ids = session.scalars(select(CallingArea.id).order_by(CallingArea.id)).all()
    return [area for area in (load_area(session, i) for i in ids) if area is not None]


def quiet_now(area: AreaSettings, now: datetime) -> bool:
    """Whether the area's voice is silent now (quiet hours may run over midnight)."""
    if not area.quiet_from or not area.quiet_until:
        return False
    local = now.astimezone(VN_TZ).time()
    start, end = time.fromisoformat(area.quiet_from), time.fromisoformat(area.quiet_until)
    return start <= local < end if start <= end else local >= start or local < end


# --- what a screen shows ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomLine:
    room_id: str
    department_id: str
    name_vi: str
    name_en: str
    location_vi: str
    location_en: str
    current: str | None  # the number called (or being seen) there now
    waiting: int
    expected_wait: int  # minutes for someone joining now
    state: str


@dataclass(frozen=True)
class RecentCall:
    id: int
    number: str
    room_id: str | None
    recall: bool


@dataclass(frozen=True)
class AreaView:
    area_id: str
    name_vi: str
    name_en: str
    rooms: tuple[RoomLine, ...]
    recent: tuple[RecentCall, ...]


def area_rooms(session: Session, area: AreaSettings) -> list[Room]:
    whole = {d for d, r in area.places if r is None}
    single = {r for _, r in area.places if r is not None}
    rooms = session.scalars(select(Room).where(Room.active.is_(True)).order_by(Room.department_id, Room.id)).all()
    return [r for r in rooms if r.department_id in whole or r.id in single]


def area_view(
    session: Session, catalog: Catalog, estimator: WaitEstimator, area: AreaSettings, day: date, day_start: datetime,
    now: datetime,
) -> AreaView:  # fmt: skip
    rooms = area_rooms(session, area)
    departments = {r.department_id for r in rooms}
    waiting: dict[tuple[str, str | None], int] = {
        (d, r): int(n)
        for d, r, n in session.execute(
            select(Ticket.department_id, Ticket.room_id, func.count())
            .where(Ticket.department_id.in_(departments), Ticket.day == day, Ticket.status == TicketStatus.WAITING)
            .group_by(Ticket.department_id, Ticket.room_id)
        ).all()
    }
    current: dict[str, str] = {}
    for room_id, lane, number in session.execute(
        select(Ticket.room_id, Ticket.lane, Ticket.number)
        .where(Ticket.department_id.in_(departments), Ticket.day == day, Ticket.status.in_(AT_ROOM))
        .order_by(Ticket.called_at)
    ).all():
        current[str(room_id)] = f"UT-{number:04d}" if lane == "priority" else f"{number:04d}"
    states = {str(r): str(s) for r, s in session.execute(select(CallingRoom.room_id, CallingRoom.state)).all()}
    lines = []
    for room in rooms:
        count = waiting.get((room.department_id, room.id), 0) + waiting.get((room.department_id, None), 0)
        info = catalog.department(room.department_id)
        minutes = expected_wait(estimator, info, room.id, count, now) if info else 0
        lines.append(RoomLine(room.id, room.department_id, room.name_vi, room.name_en, room.location_vi,
                              room.location_en, current.get(room.id), count, minutes,
                              states.get(room.id, "open")))  # fmt: skip
    return AreaView(area.id, area.name_vi, area.name_en, tuple(lines), tuple(recent_calls(session, area, rooms,
                                                                                            day_start)))  # fmt: skip


def recent_calls(session: Session, area: AreaSettings, rooms: list[Room], day_start: datetime) -> list[RecentCall]:
    room_ids = [r.id for r in rooms]
    rows = session.execute(
        select(CallLogEntry.id, CallLogEntry.display_number, CallLogEntry.room_id, CallLogEntry.kind)
        .where(
            CallLogEntry.room_id.in_(room_ids),
            CallLogEntry.kind.in_((CallKind.CALLED.value, CallKind.RECALLED.value)),
            CallLogEntry.at >= day_start,
        )
        .order_by(CallLogEntry.id.desc())
        .limit(area.recent_calls)
    ).all()
    return [RecentCall(i, n or "", r, k == CallKind.RECALLED.value) for i, n, r, k in rows]
