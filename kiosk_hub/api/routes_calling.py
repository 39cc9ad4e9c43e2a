"""Calling the next number of a department: a HIS with an integration credential holding the `calling` scope, or
staff of that department signed in to the console (CSRF token in the form or the `X-CSRF-Token` header). Never a
kiosk. Both call `QueueBook.call_next`, which two callers at once never share a ticket through."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk_hub import wire
from kiosk_hub.access.principals import StaffCaller, integration
from kiosk_hub.access.roles import Scope
from kiosk_hub.web.deps import HubDep, problems

router = APIRouter()


@router.post(
    "/api/v1/departments/{department_id}/call-next",
    response_model=wire.Ticket,
    responses=problems(403, 404, 409),
    dependencies=[integration(Scope.CALLING)],
    tags=["calling"],
)
async def call_next(department_id: str, hub: HubDep) -> wire.Ticket:
    """Call the department's next ticket by its lane policy. For a HIS holding an integration credential with the
    `calling` scope (`Authorization: Bearer khi_…`); a kiosk's token is refused."""
    return await hub.write(hub.queue.call_next, department_id)


@router.post(
    "/fleet/calling/departments/{department_id}/call-next",
    response_model=wire.Ticket,
    include_in_schema=False,
)
async def staff_call_next(department_id: str, hub: HubDep, _staff: StaffCaller) -> wire.Ticket:
    """The same call for staff of the department at the console (the calling pages post here)."""
    return await hub.write(hub.queue.call_next, department_id)
