"""Real parts for the outage tests: the hub as its own process behind a loopback link the test can cut or slow,
and a kiosk's offline side (HIS client → resilient port → SQLite store) checking patients in as the flow does."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from kiosk.backend_client.client import HisClient
from kiosk.domain.dates import parse_iso_partial_date
from kiosk.domain.ticket import Lane, VisitType
from kiosk.flow.records import IdentifierKind, IdentitySource, IssuedTicket, PresentedIdentity, TicketOrder
from kiosk.offline.breaker import CircuitBreaker
from kiosk.offline.lease_client import LeaseClient
from kiosk.offline.resilient_his import ResilientHis
from kiosk.offline.store import OfflineStore
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import FACILITY_PASSWORD, FACILITY_USER, OFFICER, bhxh_settings, enrol, seed
from tests.hub.servers import hub_process
from tests.support.keys import key_file_for


class FaultyLink:
    """A TCP relay on 127.0.0.1 (free port) to the hub's current port: cut it, slow it, re-point it."""

    def __init__(self) -> None:
        self.target_port: int | None = None
        self.delay_s = 0.0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._relay, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _shutdown(self) -> None:
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop.stop()

    def __enter__(self) -> FaultyLink:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        self._thread.join(5)
        self._loop.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self.target_port is None:
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            return
        finally:
            if self.target_port is None:
                writer.close()
        try:
            await asyncio.gather(self._pipe(reader, up_writer, slow=False), self._pipe(up_reader, writer, slow=True))
        except asyncio.CancelledError:
            pass  # the link is shutting down; asyncio would log a cancelled connection task as an error
        finally:
            writer.close()
            up_writer.close()

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, slow: bool) -> None:
        with contextlib.suppress(OSError):
            while chunk := await source.read(65536):
                if slow and self.delay_s:  # read per chunk: pooled connections slow down too
                    await asyncio.sleep(self.delay_s)
                sink.write(chunk)
                await sink.drain()
        with contextlib.suppress(OSError):
            sink.close()


@dataclass
class HubSite:
    """The hospital side: a migrated, seeded SQLite hub database with enrolled kiosks, served on demand."""

    database_url: str
    gateway_url: str
    tokens: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, directory: Path, gateway_url: str, kiosks: int = 1) -> HubSite:
        return cls.create_at(f"sqlite:///{directory / 'hub.sqlite3'}", gateway_url, kiosks)

    @classmethod
    def create_at(cls, url: str, gateway_url: str, kiosks: int = 1) -> HubSite:
        upgrade(url)
        hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url), bhxh=bhxh_settings(gateway_url)))
        seed(hub)
        tokens = [enrol(hub, f"kiosk-{n}") for n in range(kiosks)]
        hub.engine.dispose()
        return cls(url, gateway_url, tokens)

    @contextlib.contextmanager
    def serving(self, link: FaultyLink) -> Iterator[None]:
        env = {
            "KIOSK_HUB_BHXH_URL": self.gateway_url,
            "KIOSK_HUB_BHXH_USERNAME": FACILITY_USER,
            "KIOSK_HUB_BHXH_PASSWORD": FACILITY_PASSWORD,
            "KIOSK_HUB_BHXH_OFFICER_NAME": OFFICER[0],
            "KIOSK_HUB_BHXH_OFFICER_CCCD": OFFICER[1],
        }
        with hub_process(self.database_url, env) as url:
            link.target_port = int(url.rsplit(":", 1)[1])
            try:
                yield
            finally:
                link.target_port = None

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(text(sql))]
        finally:
            engine.dispose()


@contextlib.asynccontextmanager
async def kiosk(
    data_dir: Path, hub_url: str, token: str, *, open_for_s: float = 0.2, **options: float
) -> AsyncIterator[ResilientHis]:
    # A short open state: the tests wait for the probe instead of the kiosk's 5 s.
    async with httpx.AsyncClient() as http:
        client = HisClient(http, token=token, base_url=hub_url)  # the production timeouts and retries
        store = OfflineStore(data_dir)
        try:
            yield ResilientHis(
                client,
                store,
                LeaseClient(http, token=token, base_url=hub_url),
                status_url=hub_url,
                breaker=CircuitBreaker("hub", open_for_s=open_for_s),
                **options,
            )
        finally:
            store.close()


def person(name: str, id_number: str, born: str, bhyt: str | None = None) -> PresentedIdentity:
    return PresentedIdentity(
        source=IdentitySource.CCCD_QR,
        lookup_kind=IdentifierKind.CCCD,
        lookup_value=id_number,
        full_name=name,
        date_of_birth=parse_iso_partial_date(born),
        sex="male",
        id_number=id_number,
        bhyt_code=bhyt,
    )


async def check_in(
    his: ResilientHis,
    who: PresentedIdentity,
    department: str = "NOI",
    key: str = "",
    lane: Lane = Lane.NORMAL,
) -> IssuedTicket:
    """The flow's calls for one patient: find (else register), check the card, departments, the ticket."""
    patient = await his.find_patient(who.lookup_kind, who.lookup_value)
    if patient is None:
        patient = await his.register_patient(who)
    code = who.card_codes()[0]
    assert who.full_name is not None
    assert who.date_of_birth is not None
    await his.check_entitlement(code, who.full_name, who.date_of_birth, patient.id)
    assert department in {d.id for d in await his.departments()}
    order = TicketOrder(department, patient.id, lane, VisitType.BHYT, key or str(uuid.uuid4()))
    return await his.issue_ticket(order)


def disk_bytes(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file())


def leaks(directory: Path, *people: PresentedIdentity) -> list[str]:
    """Which personal values (names, ID numbers, card codes) appear anywhere in the kiosk's data directory."""
    blob = disk_bytes(directory)
    found = []
    for who in people:
        for value in (who.full_name, who.id_number, who.bhyt_code):
            if value and (value.encode() in blob or value.encode("utf-16-le") in blob):
                found.append(value)
    return found
