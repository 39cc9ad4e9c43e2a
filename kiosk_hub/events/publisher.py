"""Publishing the outbox: committed events get their position (the feed's order) and one delivery row per
webhook subscription that wants them, in rounds under a lock on the counter row, so positions grow in the
order consumers see them. Old published events are pruned after the retention period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Table,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.events.models import DeliveryState, EventCounter, OutboxEvent, WebhookDelivery, WebhookSubscription

DELIVERIES = cast(Table, WebhookDelivery.__table__)


def unpublished(reader: sessionmaker[Session]) -> bool:
    with reader() as session:
        return (
            session.scalars(select(OutboxEvent.seq).where(OutboxEvent.position.is_(None)).limit(1)).first() is not None
        )


def publish(writer: sessionmaker[Session], now: datetime) -> int:
    """Number the committed events not yet published and fan them out; how many. A handful of statements per
    round whatever its size: positions are `seq + offset`, the offset chosen so this round's positions all lie
    above the last round's (positions grow; they need not be contiguous)."""
    with writer() as session:
        counter = session.scalars(select(EventCounter).where(EventCounter.id == 1).with_for_update()).one()
        unpublished = OutboxEvent.position.is_(None)
        low, high = session.execute(
            select(func.min(OutboxEvent.seq), func.max(OutboxEvent.seq)).where(unpublished)
        ).one()
        if low is None:
            return 0
        before = counter.last_position
        offset = max(0, before - low + 1)
        # Only seq in [low, high]: a row committed meanwhile with a lower seq waits for the next round, so no
        # position here can fall at or below the last round's.
        numbered = session.execute(
            update(OutboxEvent)
            .where(unpublished, OutboxEvent.seq >= low, OutboxEvent.seq <= high)
            .values(position=OutboxEvent.seq + offset, published_at=now)
        ).rowcount  # type: ignore[attr-defined]
        counter.last_position = high + offset
        this_round = and_(OutboxEvent.position > before, OutboxEvent.position <= counter.last_position)
        for sub in session.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True))):
            _fan_out(session, sub, this_round, now)
        session.commit()
        return int(numbered or 0)


def _fan_out(session: Session, sub: WebhookSubscription, this_round: ColumnElement[bool], now: datetime) -> None:
    """One delivery row per event of the round the subscription wants, in one INSERT … SELECT."""
    prefixes = [p.rstrip("*") for p in sub.event_types.split(",") if p]
    wanted = or_(*(func.substr(OutboxEvent.type, 1, len(p)) == p for p in prefixes)) if prefixes else true()
    rows = select(
        literal(sub.id),
        OutboxEvent.seq,
        OutboxEvent.position,
        OutboxEvent.subject,
        literal(DeliveryState.PENDING.value),
        literal(0),
        literal(now, DateTime(timezone=True)),
        literal(now, DateTime(timezone=True)),
    ).where(this_round, wanted)
    columns = ["subscription_id", "event_seq", "position", "subject", "state", "attempts", "created_at",
               "next_attempt_at"]  # fmt: skip
    session.execute(insert(DELIVERIES).from_select(columns, rows))


def prune(writer: sessionmaker[Session], now: datetime, retention: timedelta) -> int:
    """Drop published events older than the retention that no delivery still needs; how many."""
    cutoff = now - retention
    with writer() as session:
        waiting = exists().where(WebhookDelivery.event_seq == OutboxEvent.seq)
        result = session.execute(
            delete(OutboxEvent).where(OutboxEvent.position.is_not(None), OutboxEvent.published_at < cutoff, ~waiting)
        )
        session.commit()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
