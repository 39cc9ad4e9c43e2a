"""Which kiosk may read and cancel a ticket: the one that issued it, or one the ticket was handed to.

A kiosk asking for a patient who already holds a ticket today (in that department) gets that ticket back to print
it again, and with it the right to read and cancel it: the patient stands at that kiosk now. The grant is a row of
`ticket_grants`, written in the transaction that answers, so it is recorded. Any other kiosk is told the ticket
does not exist (404, not 403: its existence is not confirmed)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from kiosk_hub.access.models import TicketGrant
from kiosk_hub.db.engine import insert_or_skip

GRANTS = cast(Table, TicketGrant.__table__)


def grant_tickets(session: Session, pairs: Iterable[tuple[str, str]], reason: str, at: datetime) -> None:
    """Lets each (ticket, kiosk) pair's kiosk read and cancel the ticket; granting twice is harmless."""
    rows = [{"ticket_id": t, "kiosk_id": k, "granted_at": at, "reason": reason} for t, k in sorted(set(pairs))]
    insert_or_skip(session, GRANTS, rows, ["ticket_id", "kiosk_id"])


def may_use(session: Session, ticket_id: str, issued_by: str, kiosk_id: str) -> bool:
    """Whether `kiosk_id` may read and cancel the ticket `issued_by` issued."""
    if issued_by == kiosk_id:
        return True
    found = session.scalar(
        select(TicketGrant.ticket_id).where(TicketGrant.ticket_id == ticket_id, TicketGrant.kiosk_id == kiosk_id)
    )
    return found is not None
