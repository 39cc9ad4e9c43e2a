"""The patient's phone follows its ticket: the QR status page's stream (server-sent events) says the ticket's place,
the expected wait, and "called → go to room …" the moment a room calls it. Public (the ticket's unguessable token is
the key), tiny, no personal data: a number, a position, a room.

Every phone of a department is answered from one read of the department's day per change (`CallBoard.shared`),
not one read per phone."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from kiosk_hub.access.principals import Public
from kiosk_hub.api.status_page import state_words
from kiosk_hub.calling.board import Listener
from kiosk_hub.calling.estimate import expected_wait
from kiosk_hub.db.models import LanePolicy, Ticket, TicketStatus
from kiosk_hub.hub import Hub
from kiosk_hub.queue.order import call_order
from kiosk_hub.queue.state import normals_since_priority
from kiosk_hub.web.deps import HubDep

router = APIRouter(include_in_schema=False)
PING_SECONDS = 15.0  # phones on slow networks: a ping is a few bytes


@dataclass(frozen=True)
class TicketNow:
    status: str
    position: int | None
    room_id: str | None
    department_id: str


def department_now(hub: Hub, department_id: str) -> dict[str, TicketNow]:
    """Every ticket of the department today: status, room, and for waiting ones their place in calling order."""
    department = hub.queue.catalog.department(department_id)
    day = hub.queue.today()
    with hub.reader() as session:
        rows = session.execute(
            select(Ticket.id, Ticket.status, Ticket.room_id, Ticket.lane, Ticket.number)
            .where(Ticket.department_id == department_id, Ticket.day == day)
            .order_by(Ticket.number)
        ).all()
        policy = department.policy if department else LanePolicy.STRICT
        streak = normals_since_priority(session, department_id, day) if policy is LanePolicy.INTERLEAVED else 0
    waiting = [r for r in rows if r.status == TicketStatus.WAITING]
    order = call_order([r.id for r in waiting if r.lane == "priority"], [r.id for r in waiting if r.lane != "priority"],
                       policy, department.priority_every if department else 3, streak)  # fmt: skip
    places = {ticket_id: place for place, ticket_id in enumerate(order)}
    return {r.id: TicketNow(r.status, places.get(r.id), r.room_id, department_id) for r in rows}


def _message(hub: Hub, ticket_id: str, now: TicketNow) -> str:
    department = hub.queue.catalog.department(now.department_id)
    room = department.room(now.room_id) if department else None
    vi, en = state_words(TicketStatus(now.status), now.position)
    wait = (
        expected_wait(hub.queue.estimator, department, now.room_id, now.position, hub.clock())
        if department and now.position is not None
        else None
    )
    return json.dumps({
        "status": now.status, "position": now.position, "wait_minutes": wait, "state_vi": vi, "state_en": en,
        "room_vi": room.name.vi if room else "", "room_en": room.name.en if room else "",
        "where_vi": room.location.vi if room else "", "where_en": room.location.en if room else "",
        "department_vi": department.names.vi if department else "", "ticket": ticket_id[:8],
    }, ensure_ascii=False)  # fmt: skip


async def _follow(hub: Hub, ticket_id: str, listener: Listener) -> AsyncIterator[str]:
    board = hub.calling.board
    last = ""
    try:
        while True:
            department = next(iter(listener.departments))
            snapshot = await board.shared(
                f"department:{department}", functools.partial(department_now, hub, department)
            )
            now = snapshot.get(ticket_id)
            if now is None:  # transferred away: follow it to its new department
                moved = await asyncio.to_thread(hub.queue.get, ticket_id)
                listener.departments = frozenset({moved.department_id})
                continue
            message = _message(hub, ticket_id, now)
            if message != last:
                yield f"event: ticket\ndata: {message}\n\n"
                last = message
            try:
                await asyncio.wait_for(listener.inbox.get(), PING_SECONDS)
            except TimeoutError:
                yield "event: ping\ndata: {}\n\n"
            while not listener.inbox.empty():
                listener.inbox.get_nowait()
    finally:
        board.leave(listener)


@router.get("/t/{token}/events", dependencies=[Public])
async def ticket_events(token: str, hub: HubDep) -> Response:
    found = await asyncio.to_thread(_by_token, hub, token)
    if found is None:
        return Response(status_code=404)
    ticket_id, department_id = found
    listener = hub.calling.board.listen(frozenset({department_id}))
    return StreamingResponse(_follow(hub, ticket_id, listener), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})  # fmt: skip


def _by_token(hub: Hub, token: str) -> tuple[str, str] | None:
    if len(token) > 64:
        return None
    with hub.reader() as session:
        row = session.execute(select(Ticket.id, Ticket.department_id).where(Ticket.public_token == token)).first()
    return (row[0], row[1]) if row else None
