"""What the calling page shows a room: who is at the room now, who waits in calling order, who did not come, and
the room's state. Names only for staff allowed to see them (the hub's own register has them; a HIS's patients are
shown by number only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kiosk.domain.ticket import display_number
from kiosk_hub.calling.models import CallingRoom, RoomState, TicketCall
from kiosk_hub.db.engine import as_utc
from kiosk_hub.db.models import Department, LanePolicy, Patient, Room, Ticket, TicketStatus
from kiosk_hub.queue.order import call_order
from kiosk_hub.queue.state import normals_since_priority

SHOWN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.SKIPPED,
                  TicketStatus.MISSED)  # fmt: skip


@dataclass(frozen=True)
class TicketLine:
    id: str
    number: str
    lane: str
    status: str
    room_id: str | None
    waited_minutes: int
    calls: int
    name: str | None


@dataclass(frozen=True)
class RoomPage:
    department: Department
    rooms: list[Room]
    room: Room | None
    state: RoomState
    at_room: list[TicketLine]
    waiting: list[TicketLine]
    absent: list[TicketLine]
    departments: list[Department]  # where a ticket may be transferred


def room_page(
    session: Session, department_id: str, room_id: str | None, day: date, now: datetime, names: bool
) -> RoomPage | None:
    department = session.get(Department, department_id)
    if department is None:
        return None
    rooms = list(session.scalars(select(Room).where(Room.department_id == department_id, Room.active.is_(True))
                                 .order_by(Room.id)))  # fmt: skip
    room = next((r for r in rooms if r.id == room_id), None)
    query = (
        select(Ticket, TicketCall.calls)
        .outerjoin(TicketCall, TicketCall.ticket_id == Ticket.id)
        .where(Ticket.department_id == department_id, Ticket.day == day, Ticket.status.in_(SHOWN_STATUSES))
    )
    if room is not None:
        query = query.where(or_(Ticket.room_id.is_(None), Ticket.room_id == room.id))
    rows = session.execute(query.order_by(Ticket.lane, Ticket.number)).all()
    people = _names(session, [t.patient_ref for t, _ in rows if t.patient_ref]) if names else {}

    def line(ticket: Ticket, calls: int | None) -> TicketLine:
        waited = int((now - as_utc(ticket.issued_at)).total_seconds() // 60)
        return TicketLine(ticket.id, display_number(ticket.lane, ticket.number), ticket.lane, ticket.status,
                          ticket.room_id, max(0, waited), calls or 0, people.get(ticket.patient_ref or ""))  # fmt: skip

    lines = [line(t, c) for t, c in rows]
    waiting = [x for x in lines if x.status == TicketStatus.WAITING]
    policy = LanePolicy(department.lane_policy)
    streak = normals_since_priority(session, department_id, day) if policy is LanePolicy.INTERLEAVED else 0
    priority, normal = [x for x in waiting if x.lane == "priority"], [x for x in waiting if x.lane != "priority"]
    ordered = list(call_order(priority, normal, policy, department.priority_every, streak))
    state_row = session.get(CallingRoom, room.id) if room is not None else None
    return RoomPage(
        department=department,
        rooms=rooms,
        room=room,
        state=RoomState(state_row.state) if state_row else RoomState.OPEN,
        at_room=[x for x in lines if x.status in (TicketStatus.CALLED, TicketStatus.SERVING)],
        waiting=ordered,
        absent=[x for x in lines if x.status in (TicketStatus.SKIPPED, TicketStatus.MISSED)],
        departments=list(
            session.scalars(select(Department).where(Department.active.is_(True)).order_by(Department.sort_order))
        ),
    )


def _names(session: Session, refs: list[str]) -> dict[str, str]:
    if not refs:
        return {}
    return {
        str(i): str(n)
        for i, n in session.execute(select(Patient.id, Patient.full_name).where(Patient.id.in_(refs))).all()
    }
