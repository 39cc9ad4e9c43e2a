"""How the event feed stands, for the console and `kiosk-hub events status`: subscriptions with their pending and
dead deliveries, and the dead letters themselves (no event data: types, subjects' kinds, errors)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from kiosk_hub.events.models import DeliveryState, EventCounter, OutboxEvent, WebhookDelivery, WebhookSubscription

if TYPE_CHECKING:
    from kiosk_hub.hub import Hub


def feed_status(hub: Hub, dead_limit: int = 200) -> dict[str, Any]:
    with hub.reader() as session:
        counts = {
            (sub, state): n
            for sub, state, n in session.execute(
                select(WebhookDelivery.subscription_id, WebhookDelivery.state, func.count()).group_by(
                    WebhookDelivery.subscription_id, WebhookDelivery.state
                )
            )
        }
        subscriptions = [
            {
                "id": s.id,
                "name": s.name,
                "url": s.url,
                "event_types": s.event_types or "*",
                "active": s.active,
                "pending": counts.get((s.id, DeliveryState.PENDING.value), 0),
                "dead": counts.get((s.id, DeliveryState.DEAD.value), 0),
            }
            for s in session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.name))
        ]
        dead = [
            {
                "delivery_id": d.id,
                "subscription": d.subscription_id,
                "position": d.position,
                "type": event_type,
                "subject_kind": d.subject.split(":", 1)[0],
                "attempts": d.attempts,
                "last_error": d.last_error,
                "created_at": d.created_at,
            }
            for d, event_type in session.execute(
                select(WebhookDelivery, OutboxEvent.type)
                .join(OutboxEvent, OutboxEvent.seq == WebhookDelivery.event_seq)
                .where(WebhookDelivery.state == DeliveryState.DEAD.value)
                .order_by(WebhookDelivery.position)
                .limit(dead_limit)
            )
        ]
        last = session.scalars(select(EventCounter.last_position)).first() or 0
        unpublished = session.scalar(select(func.count()).where(OutboxEvent.position.is_(None))) or 0
    return {"last_position": last, "unpublished": unpublished, "subscriptions": subscriptions, "dead": dead}
