"""Webhook delivery: at least once, in order per subject, with exponential backoff and a dead-letter list.

A round claims the head of each subject's queue for each subscription (a row with no earlier undelivered row of
the same subject), posts them concurrently (different subjects), deletes the delivered rows and schedules the
others again: 5 s, 10 s, 20 s … capped at 10 minutes. After `give_up_after_hours` a delivery is dead: its
subject's later events wait behind it until an admin replays it (console or `kiosk-hub events replay`), so a
receiver never sees a patient's events out of order. A claim is a lease: if a hub process dies mid-round, another
takes the rows over once it expires (the receiver may then get an event twice: it deduplicates by event id).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from kiosk_hub.db.engine import as_utc
from kiosk_hub.events.models import DeliveryState, OutboxEvent, WebhookDelivery, WebhookSubscription
from kiosk_hub.events.signing import HEADER, sign
from kiosk_hub.settings import EventSettings

log = logging.getLogger("kiosk_hub.events")
LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=5 * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


def envelope(event: OutboxEvent) -> dict[str, object]:
    """An event as receivers see it (webhook body and pull feed)."""
    return {
        "id": event.id,
        "type": event.type,
        "position": event.position,
        "subject": event.subject,
        "occurred_at": as_utc(event.occurred_at).isoformat(),
        "data": json.loads(event.data),
    }


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    url: str
    secret: str
    event_id: str
    event_type: str
    body: bytes


class WebhookCourier:
    def __init__(
        self,
        reader: sessionmaker[Session],
        writer: sessionmaker[Session],
        http: httpx.AsyncClient,
        clock: Callable[[], datetime],
        settings: EventSettings,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._http = http
        self._clock = clock
        self._settings = settings

    async def deliver_round(self, limit: int = 200) -> int:
        """One round; the number delivered."""
        claimed = await asyncio.to_thread(self._claim, limit)
        if not claimed:
            return 0
        gate = asyncio.Semaphore(self._settings.concurrency)

        async def post(item: Claimed) -> tuple[Claimed, str | None]:
            async with gate:
                return item, await self._post(item)

        results = await asyncio.gather(*(post(item) for item in claimed))
        await asyncio.to_thread(self._record, results)
        return sum(1 for _, error in results if error is None)

    def _heads(self, now: datetime):  # type: ignore[no-untyped-def]
        earlier = aliased(WebhookDelivery)
        blocked = exists().where(
            and_(
                earlier.subscription_id == WebhookDelivery.subscription_id,
                earlier.subject == WebhookDelivery.subject,
                earlier.position < WebhookDelivery.position,
            )
        )
        return select(WebhookDelivery).where(
            WebhookDelivery.state == DeliveryState.PENDING.value,
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
            ~blocked,
        )

    def due(self) -> bool:
        with self._reader() as session:
            return session.scalars(self._heads(self._clock()).limit(1)).first() is not None

    def _claim(self, limit: int) -> list[Claimed]:
        now = self._clock()
        with self._writer() as session:
            query = self._heads(now).order_by(WebhookDelivery.position).limit(limit)
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
            rows = list(session.scalars(query))
            if not rows:
                return []
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_([r.id for r in rows]))
                .values(claimed_until=now + LEASE, attempts=WebhookDelivery.attempts + 1)
            )
            events = {
                e.seq: e
                for e in session.scalars(select(OutboxEvent).where(OutboxEvent.seq.in_([r.event_seq for r in rows])))
            }
            subs = {s.id: s for s in session.scalars(select(WebhookSubscription))}
            session.commit()
        claimed = []
        for row in rows:
            event, sub = events[row.event_seq], subs[row.subscription_id]
            body = json.dumps(envelope(event), ensure_ascii=False, separators=(",", ":")).encode()
            claimed.append(Claimed(row.id, sub.url, sub.secret, event.id, event.type, body))
        return claimed

    async def _post(self, item: Claimed) -> str | None:
        """None when the receiver took it (2xx), else why not (a status or an exception class)."""
        headers = {
            "Content-Type": "application/json",
            HEADER: sign(item.secret, item.body, int(self._clock().timestamp())),
            "Kiosk-Hub-Event-Id": item.event_id,
            "Kiosk-Hub-Event-Type": item.event_type,
        }
        try:
            response = await self._http.post(
                item.url, content=item.body, headers=headers, timeout=self._settings.delivery_timeout_seconds
            )
        except httpx.HTTPError as exc:
            return type(exc).__name__
        return None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"

    def _record(self, results: Sequence[tuple[Claimed, str | None]]) -> None:
        now = self._clock()
        give_up = timedelta(hours=self._settings.give_up_after_hours)
        with self._writer() as session:
            delivered = [item.delivery_id for item, error in results if error is None]
            if delivered:
                session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(delivered)))
            for item, error in results:
                if error is None:
                    continue
                row = session.get(WebhookDelivery, item.delivery_id)
                if row is None:
                    continue
                row.claimed_until = None
                row.last_error = error[:200]
                if now - as_utc(row.created_at) >= give_up:
                    row.state = DeliveryState.DEAD.value
                    log.error("webhook delivery %d dead-lettered after %d attempts (%s)", row.id, row.attempts, error)
                else:
                    row.next_attempt_at = now + backoff(row.attempts)
            session.commit()


def replay_dead(writer: sessionmaker[Session], now: datetime, delivery_id: int | None = None) -> int:
    """Put dead deliveries (one, or all) back in line: tried again now, given the full time again."""
    with writer() as session:
        query = update(WebhookDelivery).where(WebhookDelivery.state == DeliveryState.DEAD.value)
        if delivery_id is not None:
            query = query.where(WebhookDelivery.id == delivery_id)
        result = session.execute(
            query.values(state=DeliveryState.PENDING.value, next_attempt_at=now, created_at=now, attempts=0)
        )
        session.commit()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
