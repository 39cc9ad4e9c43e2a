"""Today's queue of a department read from the store: how many wait, who is next, how far back a ticket is."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk_hub.db.models import Department, Lane, LanePolicy, Room, Ticket, TicketStatus
from kiosk_hub.queue_order import position


def room_count(session: Session, department_id: str) -> int:
    return int(session.scalar(select(func.count()).where(Room.department_id == department_id)) or 0)


def tickets_ahead(session: Session, department: Department, day: date, lane: Lane, number: int | None) -> int:
    """Waiting tickets called before a ticket of this lane and number (None: one issued now)."""
    waiting = (Ticket.department_id == department.id, Ticket.day == day, Ticket.status == TicketStatus.WAITING)
    same = select(func.count()).where(*waiting, Ticket.lane == lane)
    if number is not None:
        same = same.where(Ticket.number < number)
    other_lane = Lane.NORMAL if lane is Lane.PRIORITY else Lane.PRIORITY
    other = select(func.count()).where(*waiting, Ticket.lane == other_lane)
    policy = LanePolicy(department.lane_policy)
    streak = normals_since_priority(session, department.id, day) if policy is LanePolicy.INTERLEAVED else 0
    return position(
        lane is Lane.PRIORITY,
        int(session.scalar(same) or 0),
        int(session.scalar(other) or 0),
        policy,
        department.priority_every,
        streak,
    )


def first_waiting(session: Session, department_id: str, day: date, lane: Lane) -> Ticket | None:
    return session.scalars(
        select(Ticket)
        .where(
            Ticket.department_id == department_id,
            Ticket.day == day,
            Ticket.lane == lane,
            Ticket.status == TicketStatus.WAITING,
        )
        .order_by(Ticket.number)
        .limit(1)
    ).first()


def normals_since_priority(session: Session, department_id: str, day: date) -> int:
    called = (Ticket.department_id == department_id, Ticket.day == day, Ticket.call_seq.is_not(None))
    last_priority = session.scalar(select(func.max(Ticket.call_seq)).where(*called, Ticket.lane == Lane.PRIORITY))
    query = select(func.count()).where(*called, Ticket.lane == Lane.NORMAL)
    if last_priority is not None:
        query = query.where(Ticket.call_seq > last_priority)
    return int(session.scalar(query) or 0)
