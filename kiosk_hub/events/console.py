"""The console's HIS page (`/fleet/his`): the adapter in use, webhook receivers with their waiting and dead
deliveries, visits the HIS did not open, BHYT check-ins not sent; an admin replays dead letters and retries
visits. Shows references and codes only, never a patient's data."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select, update

from kiosk_hub.access.principals import AdminChange, ConsoleReader
from kiosk_hub.events.delivery import replay_dead
from kiosk_hub.events.status import feed_status
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.console.web import form_text, hub_of, render
from kiosk_hub.his.models import BhytCheckIn, HisVisit

router = APIRouter(prefix="/fleet/his", include_in_schema=False)


@router.get("")
def his_page(request: Request, user: ConsoleReader) -> Response:
    hub = hub_of(request)
    with hub.reader() as session:
        failed = list(session.scalars(select(HisVisit).where(HisVisit.failed.is_(True)).limit(200)))
        unsent = list(
            session.scalars(
                select(BhytCheckIn).where(BhytCheckIn.state.in_(("invalid", "refused", "unsent"))).limit(200)
            )
        )
    return render(request, "his.html", user=user, adapter=hub.settings.his.adapter, feed=feed_status(hub),
                  failed_visits=failed, checkins=unsent)  # fmt: skip


@router.post("/replay")
def replay(request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    which = form_text(change.form, "delivery")
    delivery = None if which == "all" else int(which) if which.isdigit() else -1
    count = replay_dead(hub.writer, hub.clock(), delivery)
    with hub.writer() as session:
        audit.record(session, hub.clock(), change.user.username, "events.replayed", which, count=count)
        session.commit()
    return RedirectResponse("/fleet/his", status_code=303)


@router.post("/retry")
def retry_visit(request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    visit = form_text(change.form, "visit")[:36]
    with hub.writer() as session:
        session.execute(
            update(HisVisit)
            .where(HisVisit.id == visit, HisVisit.failed.is_(True))
            .values(failed=False, next_attempt_at=hub.clock(), created_at=hub.clock(), last_error=None)
        )
        audit.record(session, hub.clock(), change.user.username, "his.visit_retried", visit)
        session.commit()
    return RedirectResponse("/fleet/his", status_code=303)
