"""The hub's composition root: builds the store, the HIS adapter, the BHXH client and the FastAPI app."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.api.auth import KioskGate
from kiosk_hub.api.limits import BodyLimit
from kiosk_hub.api.problems import install_problem_handlers
from kiosk_hub.bhxh.client import BhxhClient
from kiosk_hub.db.engine import make_engine, session_factories
from kiosk_hub.entitlement import EntitlementDesk
from kiosk_hub.group_commit import IssueBatcher
from kiosk_hub.his.demo import DemoHis
from kiosk_hub.his.port import HisAdapter
from kiosk_hub.settings import HubSettings
from kiosk_hub.tickets import TicketDesk

log = logging.getLogger("kiosk_hub")
Clock = Callable[[], datetime]
T = TypeVar("T")
API_VERSION = "1.0.0"


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Hub:
    settings: HubSettings
    engine: Engine
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]
    clock: Clock
    gate: KioskGate
    desk: TicketDesk
    his: HisAdapter
    entitlement: EntitlementDesk
    http: httpx.AsyncClient
    writes: ThreadPoolExecutor
    owns_http: bool = False

    async def write(self, fn: Callable[..., T], *args: object) -> T:
        """Run a database write off the event loop on the writer threads."""
        return await asyncio.get_running_loop().run_in_executor(self.writes, functools.partial(fn, *args))


def build_hub(settings: HubSettings, clock: Clock = system_clock, http: httpx.AsyncClient | None = None) -> Hub:
    engine = make_engine(settings.database_url)
    reader, writer = session_factories(engine)
    owns_http = http is None
    http = http or httpx.AsyncClient()
    client = BhxhClient(settings.bhxh, http, clock)
    return Hub(
        settings=settings,
        engine=engine,
        reader=reader,
        writer=writer,
        clock=clock,
        gate=KioskGate(reader),
        desk=TicketDesk(reader, writer, clock, settings.public_base_url),
        his=DemoHis(reader, writer),
        entitlement=EntitlementDesk(client, writer, settings.facility_code),
        http=http,
        # SQLite takes one writer at a time: one writer thread queues them without lock or GIL contention.
        # PostgreSQL writes in parallel (row locks), and its threads wait on the network without the GIL.
        writes=ThreadPoolExecutor(1 if engine.dialect.name == "sqlite" else 16, thread_name_prefix="hub-write"),
        owns_http=owns_http,
    )


async def _recheck_loop(hub: Hub) -> None:
    while True:
        await asyncio.sleep(hub.settings.recheck_interval_seconds)
        try:
            await hub.entitlement.recheck_pending()
        except Exception:  # the loop must outlive one bad round; the reason is logged
            log.exception("entitlement re-check round failed")


def create_app(hub: Hub, *, background: bool = True) -> FastAPI:
    """The Kiosk HIS API over a built hub; `background` runs the BHXH re-check loop while serving."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_recheck_loop(hub)) if background else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if hub.owns_http:
                await hub.http.aclose()

    app = FastAPI(
        title="Kiosk HIS API",
        version=API_VERSION,
        summary="What a hospital self-service kiosk asks the hospital: departments, patients, BHYT, tickets.",
        lifespan=lifespan,
    )
    app.state.hub = hub
    # Ticket commits are grouped on both stores: on SQLite one fsync serves a batch; on PostgreSQL a batch is one
    # transaction and one round of lock waits on the counter rows, so hub processes add throughput rather than queue.
    app.state.ticket_batcher = IssueBatcher(lambda requests: hub.write(hub.desk.issue_many, requests))
    install_problem_handlers(app)
    from kiosk_hub.api import routes_care, routes_tickets, status_page

    app.include_router(routes_care.router)
    app.include_router(routes_tickets.router)
    app.include_router(status_page.router)
    from kiosk_hub.fleet.routes import router as fleet_router

    app.include_router(fleet_router)
    from kiosk_hub.leases.routes import router as leases_router

    app.include_router(leases_router)
    app.add_middleware(BodyLimit, max_bytes=hub.settings.max_body_bytes)
    return app
