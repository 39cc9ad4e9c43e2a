"""The hub's services over one store: built once per process, shared by every route and background task.

Nothing here knows HTTP: the routes reach these services through the app (`kiosk_hub.app` includes the routers),
and this module imports no route module.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import httpx
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.access.revocations import RevocationWatch
from kiosk_hub.access.services import AccessServices, build_access
from kiosk_hub.bhxh.client import BhxhClient
from kiosk_hub.bhxh.officer import OfficerBook
from kiosk_hub.db.engine import make_engine, session_factories
from kiosk_hub.entitlement import EntitlementChecker
from kiosk_hub.events.delivery import WebhookCourier
from kiosk_hub.fleet.signing import ConfigKeys, SigningKeyUnavailableError
from kiosk_hub.health.store import StoreWatch
from kiosk_hub.his.bhyt_checkin import CheckInSubmissions
from kiosk_hub.his.loading import AdapterContext, load_adapter
from kiosk_hub.his.port import HisAdapter
from kiosk_hub.his.reception import Reception
from kiosk_hub.his.ticket_feed import TicketFeed
from kiosk_hub.his.visits import VisitDispatcher
from kiosk_hub.kiosk_tokens import KioskGate
from kiosk_hub.queue.fanout import EveryWatcher
from kiosk_hub.queue.tickets import QueueBook
from kiosk_hub.settings import HubSettings
from kiosk_hub.waits.estimate import ExpectedWaits
from kiosk_hub.waits.learn import ServiceRateWatcher

Clock = Callable[[], datetime]
T = TypeVar("T")
log = logging.getLogger("kiosk_hub")


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
    queue: QueueBook
    his: HisAdapter  # the adapter itself (loaded by name); routes reach it through `reception`
    reception: Reception
    visits: VisitDispatcher
    feed: TicketFeed
    courier: WebhookCourier
    bhxh: BhxhClient
    checkins: CheckInSubmissions | None  # BHYT check-in records sent to the gateway (off by default)
    entitlement: EntitlementChecker
    http: httpx.AsyncClient
    writes: ThreadPoolExecutor
    access: AccessServices
    store: StoreWatch  # the last store failure a write met, until a write commits again
    config_keys: ConfigKeys  # the fleet's config-signing keys, sealed in the store with the key file's key
    officer: OfficerBook  # the BHXH lookup officer (the settings', or the console's)
    owns_http: bool = False

    async def write(self, fn: Callable[..., T], *args: object) -> T:
        """Run a database write off the event loop on the writer threads."""
        return await asyncio.get_running_loop().run_in_executor(self.writes, functools.partial(fn, *args))

    def prepare_config_keys(self) -> str | None:
        """At start: the config-signing key made (with its key file) or sealed if an older hub kept it in clear.
        None when that cannot be done (the reason is logged): the hub still serves patients; only enrolment and
        configuration wait for IT to put the right key file in place."""
        try:
            with self.writer() as session:
                key = self.config_keys.prepare(session, self.clock())
                session.commit()
        except (SigningKeyUnavailableError, SQLAlchemyError) as exc:
            log.error("kiosk configurations cannot be signed: %s", exc)
            return None
        return key.key_id


def build_hub(settings: HubSettings, clock: Clock = system_clock, http: httpx.AsyncClient | None = None) -> Hub:
    engine = make_engine(settings.database_url)
    reader, writer = session_factories(engine)
    owns_http = http is None
    http = http or httpx.AsyncClient()
    config_keys = ConfigKeys(settings.key_file_path())
    officer = OfficerBook(settings.bhxh, reader, config_keys)
    client = BhxhClient(settings.bhxh, http, clock, officer=officer.name_and_id)
    feed = TicketFeed()
    adapter = load_adapter(AdapterContext(settings.his, settings.facility_code, reader, writer, clock))
    reception = Reception(adapter, reader, writer, clock)
    # A claimed visit is held a few HIS timeouts long: a process that dies mid-call lets another take it over.
    lease = timedelta(seconds=4 * settings.his.timeout_seconds + 5)
    checkins = (
        CheckInSubmissions(writer, reader, clock, settings.facility_code, settings.his.province_code)
        if settings.his.send_bhyt_checkin
        else None
    )
    # SQLite takes one writer at a time: one writer thread queues them without lock or GIL contention.
    # PostgreSQL writes in parallel (row locks), and its threads wait on the network without the GIL.
    writes = ThreadPoolExecutor(1 if engine.dialect.name == "sqlite" else 16, thread_name_prefix="hub-write")
    revocations = RevocationWatch(reader)
    return Hub(
        settings=settings,
        engine=engine,
        reader=reader,
        writer=writer,
        clock=clock,
        gate=KioskGate(reader, revocations),
        queue=QueueBook(
            reader,
            writer,
            clock,
            settings.public_base_url,
            EveryWatcher(feed, ServiceRateWatcher()),
            ExpectedWaits(reader, clock),
        ),
        his=adapter,
        reception=reception,
        visits=VisitDispatcher(reception, reader, writer, clock, lease, checkins.prepare if checkins else None),
        feed=feed,
        courier=WebhookCourier(reader, writer, http, clock, settings.events),
        bhxh=client,
        checkins=checkins,
        entitlement=EntitlementChecker(
            client, writer, settings.facility_code, officer.name_and_id, clock, reception.cards_on_file
        ),
        http=http,
        writes=writes,
        access=build_access(settings, reader, writer, writes, revocations, clock),
        store=StoreWatch(engine, clock),
        config_keys=config_keys,
        officer=officer,
        owns_http=owns_http,
    )
