"""Publishing the outbox: committed events get their position (the feed's order) and one delivery row per
webhook subscription that wants them, in rounds under a lock on the counter row, so positions grow in the
order consumers see them. Old published events are pruned after the retention period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, delete, exists, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.events.models import DeliveryState, EventCounter, OutboxEvent, WebhookDelivery, WebhookSubscription

OUTBOX = cast(Table, OutboxEvent.__table__)
DELIVERIES = cast(Table, WebhookDelivery.__table__)
_SET_POSITION = (
    update(OUTBOX)
    .where(OUTBOX.c.seq == bindparam("b_seq"))
    .values(position=bindparam("b_position"), published_at=bindparam("b_at"))
)


def unpublished(reader: sessionmaker[Session]) -> bool:
    with reader() as session:
        return (
            session.scalars(select(OutboxEvent.seq).where(OutboxEvent.position.is_(None)).limit(1)).first() is not None
        )


def publish(writer: sessionmaker[Session], now: datetime, limit: int = 1000) -> int:
    """Number the committed events not yet published (in insertion order) and fan them out; how many."""
    with writer() as session:
        counter = session.scalars(select(EventCounter).where(EventCounter.id == 1).with_for_update()).one()
        rows = session.execute(
            select(OutboxEvent.seq, OutboxEvent.type, OutboxEvent.subject)
            .where(OutboxEvent.position.is_(None))
            .order_by(OutboxEvent.seq)
            .limit(limit)
        ).all()
        if not rows:
            return 0
        first = counter.last_position + 1
        positions = [{"b_seq": row.seq, "b_position": first + i, "b_at": now} for i, row in enumerate(rows)]
        session.connection().execute(_SET_POSITION, positions)
        counter.last_position = first + len(rows) - 1
        subscriptions = list(session.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True))))
        deliveries = [
            {
                "subscription_id": sub.id,
                "event_seq": row.seq,
                "position": first + i,
                "subject": row.subject,
                "state": DeliveryState.PENDING.value,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
                "claimed_until": None,
                "last_error": None,
            }
            for i, row in enumerate(rows)
            for sub in subscriptions
            if sub.wants(row.type)
        ]
        if deliveries:
            session.connection().execute(insert(DELIVERIES), deliveries)
        session.commit()
        return len(rows)


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
