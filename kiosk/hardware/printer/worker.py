"""The printer's own thread: it alone opens, uses and closes the connection, and every call has a deadline.

Callers get `concurrent.futures.Future`s (`asyncio.wrap_future` turns them into awaitables on the UI loop). Status
is read before a job (so the kiosk never prints into nothing) and completion is confirmed after it with a query the
printer answers only once everything before it has been printed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar

from kiosk.domain.printer_state import PrinterState
from kiosk.hardware.printer.blocks import ConfirmWith
from kiosk.hardware.printer.status import (
    COMPLETION_QUERY,
    REALTIME_QUERIES,
    StatusReport,
    completion_shows_paper_out,
    interpret,
)
from kiosk.hardware.printer.uri import PrinterError

log = logging.getLogger(__name__)
T = TypeVar("T")
# Hard ceiling: a status check must not hold a patient for more than a second.
MAX_STATUS_DEADLINE_S = 1.0
_STATUS_NAMES = ("printer", "offline_cause", "paper")


class Transport(Protocol):
    """What the worker needs from a connection (EscposTransport in production)."""

    @property
    def can_read(self) -> bool: ...

    def write(self, data: bytes) -> None: ...

    def read(self, count: int, timeout: float) -> bytes: ...

    def drain(self) -> int: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class JobResult:
    """What happened to one ticket. `confirmed` only when the printer said it printed everything (`gs_r`) or,
    for printers that cannot say so, that it was still ready after taking the job (`status_only`)."""

    sent: bool
    confirmed: bool
    before: StatusReport
    after: StatusReport | None = None
    reason: str | None = None
    confirmed_with: ConfirmWith | None = None


class PrinterWorker:
    def __init__(
        self,
        connect: Callable[[], Transport],
        *,
        status_deadline: float = MAX_STATUS_DEADLINE_S,
        completion_timeout: float = 15.0,
        open_attempts: int = 3,
        open_backoff: float = 0.2,
        confirm_with: ConfirmWith = ConfirmWith.GS_R,
    ) -> None:
        self._connect = connect
        self.confirm_with = confirm_with
        self.status_deadline = min(status_deadline, MAX_STATUS_DEADLINE_S)
        self.completion_timeout = completion_timeout
        self._open_attempts = open_attempts
        self._open_backoff = open_backoff
        self._transport: Transport | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="printer")
        self._thread: threading.Thread | None = None

    # -- public API: every call runs on the worker thread -------------------------------------------------------

    def open(self) -> Future[None]:
        return self._submit(self._ensure_open_or_raise)

    def status(self) -> Future[StatusReport]:
        return self._submit(self._status)

    def print_job(self, data: bytes) -> Future[JobResult]:
        return self._submit(lambda: self._print(data))

    def close(self) -> None:
        """Close the connection on the worker thread and stop it; pending calls finish first."""
        self._submit(self._drop).result()
        self._executor.shutdown(wait=True)

    # -- on the worker thread -----------------------------------------------------------------------------------

    def _submit(self, call: Callable[[], T]) -> Future[T]:
        def on_worker() -> T:
            self._thread = self._thread or threading.current_thread()
            return call()

        return self._executor.submit(on_worker)

    def _assert_on_worker(self) -> None:
        # The Electrum habit: device calls from any other thread are a bug, caught here rather than as a race.
        if threading.current_thread() is not self._thread:
            raise RuntimeError("printer I/O outside the printer's worker thread")

    def _ensure_open_or_raise(self) -> None:
        self._transport_or_raise()

    def _transport_or_raise(self) -> Transport:
        self._assert_on_worker()
        if self._transport is not None:
            return self._transport
        last: PrinterError | None = None
        for attempt in range(self._open_attempts):
            try:
                self._transport = self._connect()
                return self._transport
            except PrinterError as exc:
                last = exc
                # "Resource busy" right after a power-cycle clears once the kernel lets go of the interface.
                if exc.reason != "busy" or attempt + 1 == self._open_attempts:
                    break
                time.sleep(self._open_backoff * (attempt + 1))
        assert last is not None
        raise last

    def _drop(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()

    def _status(self) -> StatusReport:
        try:
            transport = self._transport_or_raise()
        except PrinterError as exc:
            log.warning("printer not reachable: %s", exc.reason)
            return StatusReport(PrinterState.NO_RESPONSE, detail=exc.reason)
        if not transport.can_read:
            return StatusReport(PrinterState.NO_RESPONSE, detail="write_only_transport")
        answers: dict[str, int] = {}
        try:
            stale = transport.drain()
            if stale:
                log.info("dropped %d stale status bytes", stale)
            deadline = time.monotonic() + self.status_deadline
            for name, query in zip(_STATUS_NAMES, REALTIME_QUERIES, strict=True):
                transport.write(query)
                reply = transport.read(1, deadline - time.monotonic())
                if not reply:
                    break
                answers[name] = reply[0]
        except PrinterError as exc:
            self._drop()
            return StatusReport(PrinterState.NO_RESPONSE, _raw(answers), detail=exc.reason)
        state = interpret(*(answers.get(name) for name in _STATUS_NAMES))
        detail = "silent" if state is PrinterState.NO_RESPONSE else None
        return StatusReport(state, _raw(answers), detail)

    def _print(self, data: bytes) -> JobResult:
        before = self._status()
        write_only = before.detail == "write_only_transport"
        if not before.printable and not write_only:
            return JobResult(sent=False, confirmed=False, before=before, reason=before.state.value)
        transport = self._transport_or_raise()
        gs_r = self.confirm_with is ConfirmWith.GS_R
        try:
            transport.write(data)
            if write_only:
                return JobResult(sent=True, confirmed=False, before=before, reason="write_only_transport")
            if gs_r:
                transport.write(COMPLETION_QUERY)
            completion = self._await_completion(transport) if gs_r else None
        except PrinterError as exc:
            self._drop()
            # A printer that stopped mid-job (paper out) stops reading too, and the write times out; a fresh
            # connection can still say why, so IT is told "paper out" rather than "connection lost".
            after = self._status()
            return JobResult(sent=False, confirmed=False, before=before, after=after, reason=exc.reason)
        after = self._status()
        if not gs_r:
            return self._status_only_result(before, after)
        if completion is None:
            return JobResult(sent=True, confirmed=False, before=before, after=after, reason="not_confirmed")
        if completion_shows_paper_out(completion):
            return JobResult(sent=True, confirmed=False, before=before, after=after, reason="paper_out")
        return JobResult(sent=True, confirmed=True, before=before, after=after, confirmed_with=ConfirmWith.GS_R)

    @staticmethod
    def _status_only_result(before: StatusReport, after: StatusReport) -> JobResult:
        # The printer cannot say the job is done; still ready with paper after taking it is the most it can say.
        if after.printable:
            return JobResult(True, True, before, after, confirmed_with=ConfirmWith.STATUS_ONLY)
        return JobResult(sent=True, confirmed=False, before=before, after=after, reason=after.state.value)

    def _await_completion(self, transport: Transport) -> int | None:
        deadline = time.monotonic() + self.completion_timeout
        while (remaining := deadline - time.monotonic()) > 0:
            reply = transport.read(1, remaining)
            if not reply:
                return None
            # Real-time status bytes have bit 4 set; the GS r answer never does.
            if reply[0] & 0x90 == 0:
                return reply[0]
        return None


def _raw(answers: dict[str, int]) -> dict[str, str]:
    return {name: f"{value:02x}" for name, value in answers.items()}
