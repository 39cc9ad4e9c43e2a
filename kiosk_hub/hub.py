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
from kiosk_hub.calling.board import CallBoard
from kiosk_hub.calling.desk import CallingDesk
from kiosk_hub.calling.screens import ScreenGate
from kiosk_hub.calling.services import CallingServices, build_calling
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
from kiosk_hub.payments.book import PaymentBook
from kiosk_hub.payments.desk import PaymentDesk
from kiosk_hub.payments.fees import FeeDesk
from kiosk_hub.payments.gateway import PaymentGateway
from kiosk_hub.payments.payos import PayOsGateway
from kiosk_hub.payments.settle import Settler
from kiosk_hub.queue.fanout import EveryWatcher
from kiosk_hub.queue.tickets import QueueBook
from kiosk_hub.settings import HubSettings, PaymentSettings
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
    calling: CallingServices  # the rooms' actions (staff pages, a HIS), the screens' call board and voice
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
    payments: PaymentDesk  # the exam fee by VietQR (off unless a gateway is set: docs/payment.md)
    owns_http: bool = False
    payments_http: httpx.AsyncClient | None = None  # the payment gateway's own connections

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
    # Every change of the queue, from the kiosks' tickets or the rooms' calls, reaches the event feed and the
    # expected waits' learning.
    watcher = EveryWatcher(feed, ServiceRateWatcher())
    queue = QueueBook(reader, writer, clock, settings.public_base_url, watcher, ExpectedWaits(reader, clock))
    # SQLite takes one writer at a time: one writer thread queues them without lock or GIL contention.
    # PostgreSQL writes in parallel (row locks), and its threads wait on the network without the GIL.
    writes = ThreadPoolExecutor(1 if engine.dialect.name == "sqlite" else 16, thread_name_prefix="hub-write")
    payments_http = httpx.AsyncClient() if settings.payments.provider == "payos" else None
    payments = _payment_desk(settings, adapter, queue, (reader, writer), clock, writes, payments_http)
    checkins = (
        CheckInSubmissions(writer, reader, clock, settings.facility_code, settings.his.province_code)
        if settings.his.send_bhyt_checkin
        else None
    )
    revocations = RevocationWatch(reader)
    return Hub(
        settings=settings,
        engine=engine,
        reader=reader,
        writer=writer,
        clock=clock,
        gate=KioskGate(reader, revocations),
        queue=queue,
        calling=build_calling(
            settings,
            CallingDesk(queue, writer, clock, settings.calling, watcher),
            CallBoard(reader, settings.calling.poll_seconds),
            ScreenGate(writer),
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
        payments=payments,
        owns_http=owns_http,
        payments_http=payments_http,
    )


def _payment_desk(
    settings: HubSettings,
    his: HisAdapter,
    queue: QueueBook,
    sessions: tuple[sessionmaker[Session], sessionmaker[Session]],
    clock: Clock,
    writes: ThreadPoolExecutor,
    http: httpx.AsyncClient | None,
) -> PaymentDesk:
    config: PaymentSettings = settings.payments
    gateway: PaymentGateway | None = None
    if config.provider == "payos" and http is not None:
        gateway = PayOsGateway(config, http)
    elif config.provider:
        raise ValueError(f"unknown payment gateway {config.provider!r} (KIOSK_HUB_PAYMENT_PROVIDER: payos or empty)")
    fees = FeeDesk(his, sessions[0], config.exempt_reasons)
    book = PaymentBook(config, gateway, fees, queue, sessions, clock, settings.public_base_url)
    return PaymentDesk(book, Settler(queue, sessions, clock, config.account_number), writes)
