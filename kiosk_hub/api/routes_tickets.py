"""Kiosk HIS API v1: queue tickets (issue with an Idempotency-Key, read, cancel) and calling the next one."""

from __future__ import annotations

from fastapi import APIRouter, Header, Request, Response

from kiosk_hub import errors, wire
from kiosk_hub.queue.group_commit import IssueBatcher
from kiosk_hub.queue.tickets import IssueRequest
from kiosk_hub.web.auth import KioskId
from kiosk_hub.web.deps import HubDep, problems

router = APIRouter(prefix="/api/v1", tags=["tickets"])


@router.post(
    "/tickets",
    response_model=wire.Ticket,
    status_code=201,
    responses={
        200: {"model": wire.Ticket, "description": "an existing ticket (retry or reprint)"},
        **problems(400, 404, 409),
    },
)
async def issue_ticket(
    request: Request,
    body: wire.TicketRequest,
    kiosk: KioskId,
    idempotency_key: str | None = Header(
        default=None,
        alias="Idempotency-Key",
        description="required; a retry with the same key and body returns the same ticket",
    ),
) -> Response:
    """A queue number for today in the department and lane; the same patient today gets their ticket back."""
    if not idempotency_key or len(idempotency_key) > 128:
        raise errors.idempotency_key_required()
    issue = IssueRequest(kiosk, idempotency_key, body)
    ticket, existing = await _batcher(request).issue(issue)
    # Serialised here: the model was validated when built, FastAPI need not check it a second time.
    return Response(ticket.model_dump_json(), status_code=200 if existing else 201, media_type="application/json")


def _batcher(request: Request) -> IssueBatcher:
    """The app's ticket batcher: requests that arrive together are committed together."""
    batcher: IssueBatcher = request.app.state.ticket_batcher  # built with the app
    return batcher


@router.get("/tickets/{ticket_id}", response_model=wire.Ticket, responses=problems(404))
def get_ticket(ticket_id: str, hub: HubDep, _kiosk: KioskId) -> wire.Ticket:
    """The ticket's status: position, whether it was called, the wait estimate."""
    return hub.queue.get(ticket_id)


@router.post("/tickets/{ticket_id}/cancel", response_model=wire.Ticket, responses=problems(404, 409))
async def cancel_ticket(ticket_id: str, hub: HubDep, _kiosk: KioskId) -> wire.Ticket:
    """Cancel a waiting ticket (cancelling twice answers the cancelled ticket)."""
    return await hub.write(hub.queue.cancel, ticket_id)


@router.post("/departments/{department_id}/call-next", response_model=wire.Ticket, responses=problems(404, 409))
async def call_next(department_id: str, hub: HubDep, _kiosk: KioskId) -> wire.Ticket:
    """Call the department's next ticket by its lane policy (for the counter display and tests)."""
    return await hub.write(hub.queue.call_next, department_id)
