"""The pull feed, for a HIS that cannot receive webhooks: `GET /api/v1/events?after=<position>`, for an integration
credential holding the `events` scope (`kiosk-hub integration add NAME --scope events`, or the console).

Events come in position order; `after` is the last position the reader has handled (0 at first). Positions are
given out by one publisher at a time, so a reader that asks again with the last position it saw never skips an
event. The same envelopes as the webhooks; kept for the retention period (KIOSK_HUB_EVENTS_RETENTION_DAYS).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import or_, select

from kiosk_hub.access.integrations import Integration
from kiosk_hub.access.principals import integration
from kiosk_hub.access.roles import Scope
from kiosk_hub.events.delivery import envelope
from kiosk_hub.events.models import OutboxEvent
from kiosk_hub.web.deps import HubDep, problems

router = APIRouter(prefix="/api/v1", tags=["events"])


class FeedEvent(BaseModel):
    id: str = Field(description="unique; a reader that saw it before (webhook and pull) skips it")
    type: str = Field(examples=["ticket.issued"])
    position: int = Field(description="the feed's order; pass the last one you handled as `after`")
    subject: str = Field(description="the ordering key: patient:<patient ref> or ticket:<ticket id>")
    occurred_at: datetime
    data: dict[str, Any] = Field(description="references and codes only (docs/his-integration.md lists them)")


class FeedPage(BaseModel):
    events: list[FeedEvent]
    last_position: int = Field(description="the position to ask `after` next time (the `after` given if none)")


@router.get("/events", response_model=FeedPage, responses=problems(403))
def pull_events(
    hub: HubDep,
    _reader: Annotated[Integration, integration(Scope.EVENTS)],
    after: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
    types: str = Query("", max_length=500, description="comma-separated type prefixes, e.g. ticket.,visit.opened"),
) -> FeedPage:
    """Published events after a position, oldest first."""
    query = select(OutboxEvent).where(OutboxEvent.position > after).order_by(OutboxEvent.position).limit(limit)
    prefixes = [p.strip() for p in types.split(",") if p.strip()]
    if prefixes:
        query = query.where(or_(*(OutboxEvent.type.startswith(p) for p in prefixes)))
    with hub.reader() as session:
        rows = list(session.scalars(query))
    events = [FeedEvent.model_validate(envelope(row)) for row in rows]
    return FeedPage(events=events, last_position=events[-1].position if events else after)
