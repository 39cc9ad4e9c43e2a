"""Carving a block out of a department lane's day counter: the same atomic upsert that numbers online tickets."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from kiosk_hub.queue.state import add_to_counter


def reserve_block(session: Session, department_id: str, day: date, lane: str, size: int) -> tuple[int, int]:
    """The first and last number of a fresh block: the counter jumps past it, so online tickets never reuse it."""
    last = add_to_counter(session, department_id, day, lane, size)
    return last - size + 1, last
