"""Kiosk HIS API v1, number leases: take a block, list the blocks held, give them back, replay offline tickets; and
the public page a provisional ticket's QR opens (`page.py`). `router` carries both (the app includes it once)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from kiosk_hub.access.principals import KioskPrincipal
from kiosk_hub.hub import Hub
from kiosk_hub.leases import page, wire
from kiosk_hub.leases.ledger import LeaseLedger
from kiosk_hub.web.deps import HubDep, problems

api = APIRouter(prefix="/api/v1/leases", tags=["leases"])


def _ledger(request: Request, hub: Hub) -> LeaseLedger:
    ledger: LeaseLedger | None = getattr(request.app.state, "lease_ledger", None)
    if ledger is None:
        ledger = request.app.state.lease_ledger = LeaseLedger(hub)
    return ledger


@api.post("", response_model=wire.Lease, status_code=201, responses=problems(404))
async def take_lease(body: wire.LeaseRequest, request: Request, hub: HubDep, kiosk: KioskPrincipal) -> wire.Lease:
    """A fresh block of today's numbers for the department lane, sized from the day's traffic."""
    return await hub.write(_ledger(request, hub).grant, kiosk, body)


@api.get("", response_model=wire.LeaseList, responses=problems())
def held_leases(request: Request, hub: HubDep, kiosk: KioskPrincipal) -> wire.LeaseList:
    """The blocks this kiosk holds for today."""
    return _ledger(request, hub).held(kiosk)


@api.post("/return", response_model=wire.LeasesReturned, responses=problems())
async def return_leases(request: Request, hub: HubDep, kiosk: KioskPrincipal) -> wire.LeasesReturned:
    """Give back every block (at night); their unused numbers are never issued."""
    return await hub.write(_ledger(request, hub).give_back, kiosk)


@api.post("/replay", response_model=wire.ReplayResult, responses=problems(404, 409))
async def replay(body: wire.ReplayBatch, request: Request, hub: HubDep, kiosk: KioskPrincipal) -> wire.ReplayResult:
    """Tickets printed from a lease while the hub was away; replaying one again answers the same."""
    ledger = _ledger(request, hub)
    answers = [await hub.write(ledger.replay, kiosk, item) for item in body.registrations]
    return wire.ReplayResult(replayed=answers)


router = APIRouter()
router.include_router(api)
router.include_router(page.router)
