"""The hub's web app: the routers of every concern over a built hub, its error format and its background work.

The app is the only place that knows every route module; nothing of the hub imports this module but the entry
points (`kiosk-hub serve`, the kiosk's embedded hub).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from kiosk_hub.analytics import routes as analytics_routes
from kiosk_hub.api import routes_care, routes_tickets, status_page
from kiosk_hub.calling import phone as calling_phone
from kiosk_hub.calling import routes_api as calling_api
from kiosk_hub.calling import routes_screens as calling_screens
from kiosk_hub.events import console as events_console
from kiosk_hub.events import routes as events_routes
from kiosk_hub.events.worker import events_loop
from kiosk_hub.fleet import routes as fleet_routes
from kiosk_hub.health.routes import router as health_router
from kiosk_hub.health.store import store_fault
from kiosk_hub.help import routes as help_routes
from kiosk_hub.his.worker import announce_adapter, his_loop
from kiosk_hub.hub import Hub
from kiosk_hub.leases.routes import router as leases_router
from kiosk_hub.payments import console as payments_console
from kiosk_hub.payments import page as payment_page
from kiosk_hub.payments import routes as payments_routes
from kiosk_hub.payments.worker import payments_loop
from kiosk_hub.queue.group_commit import IssueBatcher
from kiosk_hub.retention.purge import purge
from kiosk_hub.web import api_docs
from kiosk_hub.web.headers import SecurityHeaders
from kiosk_hub.web.limits import BodyLimit
from kiosk_hub.web.problems import install_problem_handlers

log = logging.getLogger("kiosk_hub")
API_VERSION = "1.0.0"
STATIC = Path(__file__).parent / "web" / "static"


async def _recheck_loop(hub: Hub) -> None:
    while True:
        await asyncio.sleep(hub.settings.recheck_interval_seconds)
        try:
            await hub.entitlement.recheck_pending()
        except Exception:  # the loop must outlive one bad round; the reason is logged
            log.exception("entitlement re-check round failed")


# The first purge after start comes soon, so a hub restarted more often than the interval still purges.
FIRST_PURGE_AFTER_SECONDS = 300.0


async def _purge_loop(hub: Hub) -> None:
    interval = hub.settings.purge_interval_seconds
    await asyncio.sleep(min(interval, FIRST_PURGE_AFTER_SECONDS))
    while True:
        try:
            # Its own thread: each batch takes the writer like any write, and ticket batches go on between them.
            report = await asyncio.to_thread(purge, hub, hub.settings.retention_days)
            if any(report.rows.values()):
                log.info("purged what is past %d days of retention: %s", hub.settings.retention_days, report.rows)
        except Exception as exc:  # the loop must outlive one bad round; the reason is logged
            fault = store_fault(exc)
            if fault is not None:
                hub.store.failed(fault)
            log.exception("retention purge failed")
        await asyncio.sleep(interval)


def create_app(hub: Hub, *, background: bool = True) -> FastAPI:
    """The Kiosk HIS API over a built hub; `background` runs the BHXH re-check and retention purge loops, the HIS
    visits and department sync, the event feed's publishing and delivery, and the payments' round while serving."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await hub.write(hub.prepare_config_keys)
        # The call board always runs: the waiting-room screens and phone pages connected here live on it.
        tasks = [asyncio.create_task(hub.calling.board.run())]
        if background:
            await announce_adapter(hub)
            loops = [_recheck_loop(hub), _purge_loop(hub), his_loop(hub), events_loop(hub)]
            if hub.payments.gateway is not None:
                loops.append(payments_loop(hub.payments))
            tasks += [asyncio.create_task(loop) for loop in loops]
        # What start-up allocated (modules, routes, models, the ORM's mappers) lives as long as the process: frozen
        # out of the collector, its full passes no longer walk it (those passes were ~100 ms p99 stalls under load).
        gc.freeze()
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if hub.owns_http:
                await hub.http.aclose()
            if hub.payments_http is not None:
                await hub.payments_http.aclose()
            getattr(hub.his, "close", lambda: None)()  # an adapter's own connections (the REST adapter's)
            hub.access.hasher.close()

    app = FastAPI(
        title="Kiosk HIS API",
        version=API_VERSION,
        summary="What a hospital self-service kiosk asks the hospital: departments, patients, BHYT, tickets.",
        lifespan=lifespan,
        # The contract is served by a route that states its rule (public); the interactive pages are for admins.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.hub = hub
    # Ticket commits are grouped on both stores: on SQLite one fsync serves a batch; on PostgreSQL a batch is one
    # transaction and one round of lock waits on the counter rows, so hub processes add throughput rather than queue.
    app.state.ticket_batcher = IssueBatcher(lambda requests: hub.write(hub.queue.issue_many, requests))
    install_problem_handlers(app)
    app.include_router(routes_care.router)
    app.include_router(routes_tickets.router)
    app.include_router(calling_api.router)
    app.include_router(calling_api.staff_router)
    app.include_router(calling_screens.router)
    app.include_router(calling_phone.router)
    app.include_router(status_page.router)
    fleet_routes.include(app)
    app.include_router(leases_router)
    api_docs.include(app, hub.settings.access.api_docs)
    # Styles and scripts of the console and the ticket pages: files, because the policy allows nothing inline.
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(health_router)
    app.include_router(events_routes.router)
    app.include_router(events_console.router)
    app.include_router(payments_routes.router)
    app.include_router(payment_page.router)
    app.include_router(payments_console.router)
    app.include_router(help_routes.api)
    app.include_router(help_routes.pages)
    app.include_router(analytics_routes.router)
    app.add_middleware(BodyLimit, max_bytes=hub.settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app
