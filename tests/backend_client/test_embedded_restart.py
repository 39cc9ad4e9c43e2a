"""The embedded hub on a data directory that outlives the kiosk process: a second start reuses its kiosk record
(a fresh token, the old one no longer works), keeps the day's tickets, and seeds nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from kiosk.backend_client.client import HisClient
from kiosk.backend_client.errors import HisAuthError
from kiosk.demo.devices import chip_identity, demo_card
from kiosk.domain.ticket import Lane, VisitType
from kiosk.embedded_hub import embedded_hub
from kiosk.flow.records import IdentifierKind, IssuedTicket, TicketOrder
from kiosk_hub.db.models import Department, Kiosk

MORNING = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def _ticket(client: HisClient, key: str) -> IssuedTicket:
    departments = await client.departments()
    patient = await client.find_patient(IdentifierKind.CCCD, "001089012345")
    if patient is None:
        patient = await client.register_patient(chip_identity(demo_card("000")))
    open_now = next(d for d in departments if d.open_now)
    order = TicketOrder(open_now.id, patient.id, Lane.NORMAL, VisitType.FEE, key)
    return await client.issue_ticket(order)


async def test_the_same_data_directory_starts_twice(tmp_path: Path) -> None:
    async with embedded_hub(tmp_path, lambda: MORNING) as first:
        old_token = first.token
        with first.hub.writer() as session:
            departments = session.scalar(select(func.count()).select_from(Department))
        before = await _ticket(HisClient(first.client, token=first.token), "key-1")
    async with embedded_hub(tmp_path, lambda: MORNING) as second:
        assert second.token != old_token
        with second.hub.writer() as session:
            kiosks = session.scalars(select(Kiosk).where(Kiosk.name == "embedded")).all()
            assert len(kiosks) == 1
            assert session.scalar(select(func.count()).select_from(Department)) == departments
        client = HisClient(second.client, token=second.token)
        again = await _ticket(client, "key-2")
        # The day's tickets survived: the same patient and department today get their ticket back.
        assert (again.number, again.reprint) == (before.number, True)
        stale = HisClient(second.client, token=old_token)
        try:
            await stale.departments()
        except HisAuthError:
            pass
        else:
            raise AssertionError("the previous run's token must no longer open the hub")
