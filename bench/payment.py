"""What paying at the kiosk costs: from the bank's callback to the ticket in the kiosk's hands, and how many paid
payments a hub confirms per second.

    .venv/bin/python bench/payment.py [--latency 200] [--payments 1000] [--concurrency 1,16,64] [--postgres]

A hub process (`kiosk-hub serve`, SQLite unless --postgres, background rounds on) with payOS as its gateway: the
loopback payOS in this process (uvicorn, the signatures of the real one). Latency: one payment at a time, opened by
the kiosk's own client (`PaymentClient`), which then waits on it (the long poll, as the kiosk's flow does) while
the bank's callback is sent; "callback → ticket" is from the callback's first byte to the kiosk holding the ticket
(the hub verifies the signature, stores the transfer, issues the ticket, answers the waiting kiosk). Throughput:
N payments opened, then their callbacks sent by C senders at once; a callback is answered after its payment is
paid and its ticket issued, so payments/s = N ÷ the time until the last answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.backend_client.client import HisClient
from kiosk.backend_client.payments import PaymentClient
from kiosk.domain.payment_state import PaymentState
from kiosk.domain.ticket import Lane, VisitType
from kiosk.flow.records import TicketOrder
from kiosk_hub.db.models import Ticket
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.payments.fees import set_price
from kiosk_hub.payments.models import BankTransfer
from kiosk_hub.payments.payos_peer import PayOsPeer, create_payos_peer
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import enrol, seed
from tests.hub.servers import hub_process, serve_in_thread
from tests.support.keys import key_file_for
from tests.support.postgres import running_postgres

CLIENT_ID, API_KEY, CHECKSUM_KEY = "bench-client", "bench-api-key", "bench-checksum-key"
BANK_BIN, ACCOUNT = "970422", "0123456789"
CALLBACK = "/api/v1/payments/callback/payos"


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def prepare(url: str) -> str:
    upgrade(url)
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)))
    try:
        seed(hub)
        token = enrol(hub, "bench-kiosk")
        with hub.writer() as session:
            set_price(session, "NOI", VisitType.FEE, 150_000, ("02.1896", "Khám Nội"), "bench", datetime.now(UTC))
            session.commit()
    finally:
        hub.engine.dispose()
    return token


def hub_env(peer_url: str) -> dict[str, str]:
    return {
        "KIOSK_HUB_PAYMENT_PROVIDER": "payos",
        "KIOSK_HUB_PAYOS_URL": peer_url,
        "KIOSK_HUB_PAYOS_CLIENT_ID": CLIENT_ID,
        "KIOSK_HUB_PAYOS_API_KEY": API_KEY,
        "KIOSK_HUB_PAYOS_CHECKSUM_KEY": CHECKSUM_KEY,
        "KIOSK_HUB_PAYMENT_BANK_BIN": BANK_BIN,
        "KIOSK_HUB_PAYMENT_ACCOUNT": ACCOUNT,
        "KIOSK_HUB_PAYMENT_ACCOUNT_NAME": "BENH VIEN DA KHOA BENCH",
    }


def order(i: int, tag: str) -> TicketOrder:
    return TicketOrder("NOI", f"bench-{tag}-{i}", Lane.NORMAL, VisitType.FEE, f"{tag}-{i}")


async def latency(url: str, token: str, peer: PayOsPeer, n: int) -> tuple[list[float], list[float]]:
    """One payment at a time: (open, callback → ticket on the kiosk), in milliseconds."""
    opens, settled = [], []
    async with httpx.AsyncClient(base_url=url, timeout=30) as http, httpx.AsyncClient(timeout=30) as bank:
        payments = PaymentClient(HisClient(http, token=token))
        for i in range(n):
            started = time.perf_counter()
            payment = await payments.open_payment(order(i, "latency"))
            opens.append((time.perf_counter() - started) * 1000)
            watching = asyncio.ensure_future(payments.watch_payment(payment.id, PaymentState.AWAITING))
            await asyncio.sleep(0.005)  # the kiosk's long poll is at the hub before the money comes
            body = peer.pay(int(payment.reference[2:]))
            sent = time.perf_counter()
            answer = await bank.post(url + CALLBACK, content=body, headers={"Content-Type": "application/json"})
            answer.raise_for_status()
            paid = await watching
            while paid.state is PaymentState.PAID:  # confirmed, its ticket not yet issued: the kiosk waits on
                paid = await payments.watch_payment(payment.id, PaymentState.PAID)
            if paid.state is not PaymentState.TICKET_ISSUED or paid.ticket is None:
                raise SystemExit(f"payment {i} ended {paid.state}")
            settled.append((time.perf_counter() - sent) * 1000)
    return opens, settled


async def throughput(url: str, token: str, peer: PayOsPeer, n: int, concurrency: int, tag: str) -> float:
    """N payments opened, then their callbacks sent by `concurrency` senders; paid payments per second."""
    codes: list[int] = []
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        payments = PaymentClient(HisClient(http, token=token))
        opening = iter(range(n))

        async def opener() -> None:
            for i in opening:
                codes.append(int((await payments.open_payment(order(i, tag))).reference[2:]))

        await asyncio.gather(*(opener() for _ in range(16)))
    bodies = iter([peer.pay(code) for code in codes])
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as bank:

        async def sender() -> None:
            for body in bodies:
                answer = await bank.post(url + CALLBACK, content=body, headers={"Content-Type": "application/json"})
                answer.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        return n / (time.perf_counter() - started)


def check(url: str, expected: int) -> None:
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)))
    try:
        with hub.reader() as session:
            tickets = session.scalar(select(func.count()).select_from(Ticket))
            transfers = session.scalar(select(func.count()).select_from(BankTransfer))
    finally:
        hub.engine.dispose()
    if (tickets, transfers) != (expected, expected):
        raise SystemExit(f"expected {expected} tickets and transfers, found {tickets} and {transfers}")
    print(f"checked: {tickets} tickets, {transfers} transfers, one each per payment")


@contextlib.contextmanager
def store(postgres: bool) -> Iterator[str]:
    if postgres:
        with running_postgres() as server:
            yield server.create_database("bench_payments")
        return
    with tempfile.TemporaryDirectory(prefix="bench-payments-") as folder:
        yield f"sqlite:///{folder}/hub.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=int, default=200, help="payments paid one at a time")
    parser.add_argument("--payments", type=int, default=1000, help="payments per throughput run")
    parser.add_argument("--concurrency", default="1,16,64", help="callback senders at once, comma-separated")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL 15 (fsync on) instead of SQLite")
    args = parser.parse_args()
    peer = PayOsPeer(CLIENT_ID, API_KEY, CHECKSUM_KEY, BANK_BIN, ACCOUNT, "BENH VIEN DA KHOA BENCH")
    with store(args.postgres) as url, serve_in_thread(create_payos_peer(peer)) as peer_url:
        token = prepare(url)
        with hub_process(url, env=hub_env(peer_url)) as hub_url:
            opens, settled = asyncio.run(latency(hub_url, token, peer, args.latency))
            print(f"store: {'PostgreSQL' if args.postgres else 'SQLite'}, one hub process")
            print(
                f"open a payment (hub + payOS create), n={len(opens)}: "
                f"p50 {pct(opens, 50):.1f} ms, p99 {pct(opens, 99):.1f} ms"
            )
            print(
                f"callback → ticket on the kiosk, n={len(settled)}: "
                f"p50 {pct(settled, 50):.1f} ms, p99 {pct(settled, 99):.1f} ms, max {max(settled):.1f} ms"
            )
            total = args.latency
            for c in (int(x) for x in args.concurrency.split(",")):
                rate = asyncio.run(throughput(hub_url, token, peer, args.payments, c, f"rate{c}"))
                total += args.payments
                print(f"callbacks from {c} senders: {rate:.0f} paid payments/s confirmed (ticket issued)")
        check(url, total)


if __name__ == "__main__":
    main()
