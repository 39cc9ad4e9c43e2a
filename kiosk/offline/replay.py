"""Draining the journal into the hub: batches, idempotent, each row deleted once the hub has it in its queue."""

from __future__ import annotations

import logging

from kiosk.backend_client.errors import HisResponseError
from kiosk.offline.lease_client import LeaseClient
from kiosk.offline.store import OfflineStore

log = logging.getLogger("kiosk.offline")
BATCH = 100


async def replay_journal(store: OfflineStore, leases: LeaseClient) -> int:
    """Registrations the hub confirmed; connection faults propagate (the journal stays for the next round)."""
    confirmed = 0
    pending = store.pending()
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        try:
            answers = await leases.replay([entry for _key, entry in batch])
        except HisResponseError as exc:
            if exc.status >= 500:
                raise
            confirmed += await _one_by_one(store, leases, batch)
            continue
        store.forget([answer["idempotency_key"] for answer in answers])
        confirmed += len(answers)
    return confirmed


async def _one_by_one(store: OfflineStore, leases: LeaseClient, batch: list[tuple[str, dict[str, object]]]) -> int:
    """A batch the hub refused: find the refused entry; it cannot succeed later, so it is dropped (logged)."""
    confirmed = 0
    for key, entry in batch:
        try:
            await leases.replay([entry])
        except HisResponseError as exc:
            if exc.status >= 500:
                raise
            log.error("hub refused a provisional ticket (%s): the patient's paper goes to the desk", exc.code)
        else:
            confirmed += 1
        store.forget([key])
    return confirmed
