"""The reception's book of calls for help: a kiosk asks (twice is once while the first is open), staff
acknowledge, and a call left open too long is overdue for IT."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk_hub.db.engine import as_utc
from kiosk_hub.db.models import Kiosk
from kiosk_hub.help.models import HelpCall

# A kiosk asking again within this long of an open call rings the same call (a patient pressing twice).
SAME_CALL = timedelta(minutes=10)


@dataclass(frozen=True)
class OpenCall:
    """A call as the reception page shows it."""

    id: str
    kiosk_name: str
    location: str
    screen: str
    asked_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None


def ask(session: Session, kiosk_id: str, location: str, screen: str, now: datetime) -> tuple[HelpCall, bool]:
    """The kiosk's call and whether it was already open (then nothing new is written)."""
    recent = session.scalars(
        select(HelpCall)
        .where(HelpCall.kiosk_id == kiosk_id, HelpCall.acknowledged_at.is_(None), HelpCall.asked_at > now - SAME_CALL)
        .order_by(HelpCall.asked_at.desc())
        .limit(1)
    ).first()
    if recent is not None:
        return recent, True
    call = HelpCall(id=str(uuid.uuid4()), kiosk_id=kiosk_id, location=location, screen=screen, asked_at=now)
    session.add(call)
    return call, False


def acknowledge(session: Session, call_id: str, username: str, now: datetime) -> bool:
    """Mark the call taken by this user; False for an unknown call. Acknowledging twice keeps the first."""
    call = session.get(HelpCall, call_id)
    if call is None:
        return False
    if call.acknowledged_at is None:
        call.acknowledged_at, call.acknowledged_by = now, username
    return True


def calls(session: Session, since: datetime) -> list[OpenCall]:
    """Every call since `since` (open first, newest first), with the kiosk's name."""
    rows = session.execute(
        select(HelpCall, Kiosk.name).join(Kiosk, Kiosk.id == HelpCall.kiosk_id).where(HelpCall.asked_at >= since)
    ).all()
    found = [
        OpenCall(
            c.id,
            name,
            c.location,
            c.screen,
            as_utc(c.asked_at),
            as_utc(c.acknowledged_at) if c.acknowledged_at else None,
            c.acknowledged_by,
        )
        for c, name in rows
    ]
    return sorted(found, key=lambda c: (c.acknowledged_at is not None, -c.asked_at.timestamp()))


def overdue(session: Session, now: datetime, after: timedelta) -> list[OpenCall]:
    """Open calls older than `after`: what the console shows IT."""
    return [
        c for c in calls(session, now - timedelta(days=1)) if c.acknowledged_at is None and now - c.asked_at >= after
    ]
