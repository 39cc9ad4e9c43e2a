"""The patient-lookup access log in the console (admins): filter by kiosk, kind of identifier, days, or by an
identifier itself — typed into a form that is posted, hashed with the hub's key and never kept — and export as CSV."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse
from sqlalchemy import select

from kiosk_hub.access.lookup_log import LogFilter, csv_chunks, read_log
from kiosk_hub.access.principals import AdminChange, AdminOnly
from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.console.web import form_text, hub_of, render
from kiosk_hub.hub import Hub
from kiosk_hub.wire import IdentifierKind

router = APIRouter(prefix="/fleet/access-log", include_in_schema=False)
_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Shown:
    """The filters as the page's query string gave them (the form shows them back), and what they select."""

    chosen: dict[str, str]
    log_filter: LogFilter

    def query(self) -> str:
        return urlencode({**self.chosen, "h": list(self.log_filter.hashes)}, doseq=True)


def _shown(
    kiosk: str = "",
    kind: str = "",
    since: str = "",
    until: str = "",
    h: list[str] = Query(default=[]),  # noqa: B008 - FastAPI's way to declare a repeated query parameter
) -> Shown:
    """The page's and the export's filters, read once for both."""
    log_filter = LogFilter(
        kiosk_id=kiosk[:36],
        kind=kind if kind in set(IdentifierKind) else "",
        since=_day(since),
        until=_day(until),
        hashes=tuple(x for x in h[:8] if _HASH.fullmatch(x)),
    )
    return Shown({"kiosk": kiosk, "kind": kind, "since": since, "until": until}, log_filter)


Filters = Annotated[Shown, Depends(_shown)]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("")
def access_log_page(request: Request, user: AdminOnly, shown: Filters) -> Response:
    hub = hub_of(request)
    with hub.reader() as session:
        lines = read_log(session, shown.log_filter)
        kiosks = session.execute(select(Kiosk.id, Kiosk.name).order_by(Kiosk.name)).all()
    return render(
        request, "access_log.html", user=user, lines=lines, kiosks=kiosks, kinds=list(IdentifierKind),
        chosen=shown.chosen, by_identifier=bool(shown.log_filter.hashes),
        export="/fleet/access-log.csv?" + shown.query(),
    )  # fmt: skip


@router.post("/find")
async def find_identifier(request: Request, change: AdminChange) -> Response:
    """The identifier arrives in a posted form (never in a URL): the page is shown for its keyed hashes."""
    value = form_text(change.form, "identifier").strip()[:32]
    if not value:
        return RedirectResponse("/fleet/access-log", status_code=303)
    hub = hub_of(request)
    hashes = [hub.access.lookups.hash_of(kind.value, value) for kind in IdentifierKind]
    await hub.write(_audit_search, hub, change.user.username)
    return RedirectResponse("/fleet/access-log?" + urlencode({"h": hashes}, doseq=True), status_code=303)


def _audit_search(hub: Hub, actor: str) -> None:
    with hub.writer() as session:
        audit.record(session, hub.clock(), actor, "access_log.searched_identifier")
        session.commit()


csv_router = APIRouter(include_in_schema=False)


@csv_router.get("/fleet/access-log.csv")
def access_log_csv(request: Request, _user: AdminOnly, shown: Filters) -> Response:
    hub = hub_of(request)

    def rows() -> Iterator[str]:
        with hub.reader() as session:
            yield from csv_chunks(session, shown.log_filter)

    headers = {"Content-Disposition": 'attachment; filename="patient-lookups.csv"', "Cache-Control": "no-store"}
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)
