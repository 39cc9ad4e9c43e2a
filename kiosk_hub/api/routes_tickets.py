"""Kiosk HIS API v1: queue tickets (issue with an Idempotency-Key, read, cancel), each kiosk only its own.

A kiosk reads and cancels the tickets it issued, and those it was handed back as a reprint (the same patient today,
ticket issued at another kiosk: the patient now stands at this one; the hand-over is recorded). Any other ticket
answers 404, as if it did not exist. Calling numbers is staff's or the HIS's (`routes_calling.py`), never a kiosk's.
"""

from __future__ import annotations

from fastapi import APIRouter, Header, Request, Response

from kiosk_hub import errors, wire
from kiosk_hub.access.principals import KioskPrincipal
from kiosk_hub.queue.group_commit import IssueBatcher
from kiosk_hub.queue.tickets import IssueRequest
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
    kiosk: KioskPrincipal,
    idempotency_key: str | None = Header(
        default=None,
        alias="Idempotency-Key",
        description="required; a retry with the same key and body returns the same ticket",
    ),
) -> Response:
    """A queue number for today in the department and lane. A retry gets its ticket back; so does the same patient
    today (`reprint: true`), also when another kiosk issued it — this kiosk may then read and cancel that ticket
    (recorded); its id is not otherwise shown to other kiosks."""
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
def get_ticket(ticket_id: str, hub: HubDep, kiosk: KioskPrincipal) -> wire.Ticket:
    """The ticket's status: position, whether it was called, the wait estimate. Only a ticket this kiosk issued or
    was handed back as a reprint; any other is 404."""
    return hub.queue.get_for_kiosk(kiosk, ticket_id)


@router.post("/tickets/{ticket_id}/cancel", response_model=wire.Ticket, responses=problems(404, 409))
async def cancel_ticket(ticket_id: str, hub: HubDep, kiosk: KioskPrincipal) -> wire.Ticket:
    """Cancel a waiting ticket this kiosk issued or was handed back (cancelling twice answers the cancelled
    ticket); any other is 404."""
    return await hub.write(hub.queue.cancel, kiosk, ticket_id)
