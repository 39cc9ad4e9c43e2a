"""The payments as the hub's routes and background round use them: the book (open, read, give up), the settler
(transfers and tickets), the gateway, and a bell that wakes a kiosk waiting on its payment the moment it changes.

Callbacks and polls both go through `settle`: whichever brings a transfer first decides it, the other is a replay.
Blocking work runs on the hub's writer threads (`writes`); the gateway is asked on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from kiosk.domain.payment_state import PaymentState
from kiosk_hub import errors
from kiosk_hub.db.engine import as_utc
from kiosk_hub.payments.book import PaymentBook
from kiosk_hub.payments.gateway import GatewayError, PaymentGateway, Transfer
from kiosk_hub.payments.models import Payment, TransferOutcome
from kiosk_hub.payments.settle import Settlement, Settler
from kiosk_hub.payments.watch import heard, watch_feed

log = logging.getLogger("kiosk_hub.payments")
T = TypeVar("T")
_S = PaymentState
POLLED = (_S.OPENING, _S.AWAITING, _S.EXPIRED, _S.ABANDONED, _S.HELD)
WATCH_EVERY = timedelta(seconds=60)
FUTURE_SLACK = timedelta(minutes=10)  # a bank's clock a little ahead of the hub's is no forgery


class Bell:
    """Wakes the requests of this process waiting on a payment; other processes find the change by reading. Rung
    from any thread (a test's, a background round's): each waiter is woken on its own event loop."""

    def __init__(self) -> None:
        self._waiting: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self._lock = threading.Lock()

    async def wait(self, payment_id: str, seconds: float) -> None:
        waiter = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiting.setdefault(payment_id, []).append(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter[1].wait(), seconds)
        finally:
            with self._lock:
                waiters = self._waiting.get(payment_id, [])
                if waiter in waiters:
                    waiters.remove(waiter)
                if not waiters:
                    self._waiting.pop(payment_id, None)

    def ring(self, payment_id: str) -> None:
        with self._lock:
            waiters = self._waiting.pop(payment_id, [])
        for loop, event in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)


class PaymentDesk:
    def __init__(self, book: PaymentBook, settler: Settler, writes: Executor) -> None:
        self.book = book
        self.settler = settler
        self.gateway: PaymentGateway | None = book.gateway
        self.bell = Bell()
        self._writes = writes
        self._watched_at: datetime | None = None

    async def _write(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._writes, functools.partial(fn, *args))

    async def settle(self, transfer: Transfer, via: str) -> Settlement:
        assert self.gateway is not None
        settlement = await self._write(self.settler.settle, self.gateway.name, transfer, via)
        # A replay still makes sure of the ticket: the process that settled it may have stopped before issuing it.
        if settlement.payment_id and settlement.outcome is TransferOutcome.APPLIED:
            await self._write(self.settler.ensure_ticket, settlement.payment_id)
        if settlement.payment_id:
            self.bell.ring(settlement.payment_id)
        return settlement

    async def callback(self, body: bytes) -> Settlement | None:
        """A gateway callback: its signature checked (forged → refused), the transfer's time checked, settled."""
        assert self.gateway is not None
        transfer = self.gateway.read_callback(body)  # ForgedCallbackError / MalformedCallbackError go to the route
        now = self.book.clock()
        await self._write(self._heard, now, "callback", None)
        if transfer is None:
            return None
        oldest = now - timedelta(hours=self.book.settings.callback_max_age_hours)
        if not oldest <= transfer.transferred_at <= now + FUTURE_SLACK:
            if not await self._write(self._known_order, transfer.order_code):
                log.info("callback about an unknown, old order (the gateway's test call?): answered, ignored")
                return None
            raise errors.stale_callback()
        return await self.settle(transfer, "callback")

    def _known_order(self, order_code: int | None) -> bool:
        with self.book.reader() as session:
            return (
                order_code is not None
                and session.scalar(select(Payment.id).where(Payment.order_code == order_code)) is not None
            )

    def _heard(self, now: datetime, kind: str, error: str | None) -> None:
        assert self.gateway is not None
        for _attempt in range(2):
            with self.book.writer() as session:
                heard(session, self.gateway.name, now, kind, error)
                try:
                    session.commit()
                    return
                except IntegrityError:
                    session.rollback()  # the feed's row was made by another process at the same moment

    async def poll_round(self) -> None:
        """One round of the fallback: ask the gateway about payments nobody called back about, expire the ones
        whose countdown ran out, issue the tickets of paid payments that have none (after a restart), and check
        the feed. Several hub processes may run it: each payment is claimed by one for its interval."""
        if self.gateway is None:
            return
        now = self.book.clock()
        for payment_id, order_code in await self._write(self._claim_due, now):
            try:
                status = await self.gateway.status(order_code)
            except GatewayError as exc:
                await self._write(self._heard, now, "poll_error", str(exc))
                continue
            await self._write(self._heard, now, "poll_ok", None)
            for transfer in status.transfers:
                await self.settle(transfer, "poll")
            self.bell.ring(payment_id)
        for payment_id in await self._write(self._expire_and_find_unticketed, now):
            await self._write(self.settler.ensure_ticket, payment_id)
            self.bell.ring(payment_id)
        if self._watched_at is None or now - self._watched_at >= WATCH_EVERY:
            self._watched_at = now
            await self._write(self._watch, now)

    def _claim_due(self, now: datetime) -> list[tuple[str, int]]:
        settings = self.book.settings
        with self.book.writer() as session:
            due = session.execute(
                select(Payment.id, Payment.order_code, Payment.expires_at)
                .where(Payment.next_poll_at <= now, Payment.closes_at > now, Payment.state.in_(POLLED))
                .order_by(Payment.next_poll_at)
                .limit(200)
            ).all()
            claimed = []
            for payment_id, order_code, expires_at in due:
                late = as_utc(expires_at) <= now
                every = settings.late_poll_seconds if late else settings.poll_seconds
                taken = session.execute(
                    update(Payment)
                    .where(Payment.id == payment_id, Payment.next_poll_at <= now)
                    .values(next_poll_at=now + timedelta(seconds=every))
                ).rowcount  # type: ignore[attr-defined]
                if taken:
                    claimed.append((payment_id, order_code))
            session.commit()
            return claimed

    def _expire_and_find_unticketed(self, now: datetime) -> list[str]:
        with self.book.writer() as session:
            ended = (Payment.expires_at <= now, Payment.pay_later.is_(False))
            session.execute(update(Payment).where(Payment.state == _S.AWAITING, *ended).values(state=_S.EXPIRED))
            session.execute(
                update(Payment)
                .where(Payment.state == _S.OPENING, *ended)
                .values(state=_S.FAILED, last_error="not opened")
            )
            session.commit()
            unticketed = select(Payment.id).where(Payment.state == _S.PAID).limit(200)
            return list(session.scalars(unticketed))

    def _watch(self, now: datetime) -> None:
        assert self.gateway is not None
        with self.book.writer() as session:
            watch_feed(session, self.book.settings, self.gateway.name, now)
            session.commit()
