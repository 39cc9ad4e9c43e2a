"""uvicorn's HTTP protocol with the limits it lacks: a deadline for a request's head and one for its body, a cap on
the head's size, a cap on sockets per client address and per process, and room made for a new client by closing the
oldest socket that has no request in progress.

uvicorn times out idle keep-alive connections but nothing that has started (or not yet started) sending a request:
each half-sent request holds a socket, one file descriptor, until its client leaves, and about a thousand of them
use up a process's usual open-file limit so that no real request gets in. Here a slow client costs one socket for a
few seconds, and when the process is at its cap a new client takes the place of the oldest idle or half-sent one;
a request being served is never closed to make room.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


@dataclass(frozen=True)
class ConnectionLimits:
    head_seconds: float
    body_seconds: float
    max_head_bytes: int
    per_address: int
    total: int
    requests_per_connection: int
    # A reverse proxy on this host carries many clients over its address: it applies its own per-client limits.
    exempt_addresses: frozenset[str] = frozenset()


def canned_problem(status: int, reason: str, code: str, title: str, retry_after: int | None = None) -> bytes:
    """A whole HTTP/1.1 answer in application/problem+json, written straight to a socket the app never saw."""
    body = json.dumps(
        {"type": "about:blank", "title": title, "status": status, "code": code, "message_key": f"hub.{code}"}
    ).encode()
    head = [
        f"HTTP/1.1 {status} {reason}",
        "content-type: application/problem+json",
        f"content-length: {len(body)}",
        "connection: close",
    ]
    if retry_after is not None:
        head.append(f"retry-after: {retry_after}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


TOO_MANY = canned_problem(503, "Service Unavailable", "too_many_connections", "Too many connections", retry_after=5)
HEAD_TOO_SLOW = canned_problem(408, "Request Timeout", "request_timeout", "The request did not arrive in time")
HEAD_TOO_LARGE = canned_problem(
    431, "Request Header Fields Too Large", "headers_too_large", "The request's headers are too large"
)


@dataclass
class ConnectionBook:
    """The sockets one hub process holds: counted per client address, and those without a request in progress kept
    oldest first (they are the ones closed to make room)."""

    limits: ConnectionLimits
    open: set[GuardedHttp] = field(default_factory=set)
    per_address: Counter[str] = field(default_factory=Counter)
    idle: dict[GuardedHttp, None] = field(default_factory=dict)  # insertion order: the oldest first
    refused: int = 0
    evicted: int = 0
    timed_out: int = 0

    def admit(self, conn: GuardedHttp, address: str) -> bool:
        limits = self.limits
        if address not in limits.exempt_addresses and self.per_address[address] >= limits.per_address:
            self.refused += 1
            return False
        if len(self.open) >= limits.total:
            oldest = next(iter(self.idle), None)
            if oldest is None:  # every socket is serving a request: the newcomer waits outside
                self.refused += 1
                return False
            self.evicted += 1
            oldest.make_room()
        self.open.add(conn)
        self.per_address[address] += 1
        self.idle[conn] = None
        return True

    def leave(self, conn: GuardedHttp, address: str) -> None:
        if conn in self.open:
            self.open.discard(conn)
            self.idle.pop(conn, None)
            self.per_address[address] -= 1
            if self.per_address[address] <= 0:
                del self.per_address[address]

    def serving(self, conn: GuardedHttp) -> None:
        self.idle.pop(conn, None)

    def waiting(self, conn: GuardedHttp) -> None:
        self.idle.pop(conn, None)
        self.idle[conn] = None  # to the young end


class GuardedHttp(HttpToolsProtocol):
    """One connection, with its deadline (for the head, then for the body) and its place in the book."""

    book: ClassVar[ConnectionBook]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._address = ""
        self._deadline: asyncio.TimerHandle | None = None
        self._awaiting_head = True
        self._head_bytes = 0
        self._requests = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._address = self.client[0] if self.client else ""
        if not self.book.admit(self, self._address):
            self._answer_and_close(TOO_MANY)
            return
        self._arm(self.book.limits.head_seconds, self._head_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self.book.leave(self, self._address)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            return
        if self._awaiting_head:
            self._head_bytes += len(data)
            if self._head_bytes > self.book.limits.max_head_bytes:
                self._answer_and_close(HEAD_TOO_LARGE)
        elif self._deadline is None and self.cycle is not None and self.cycle.more_body:
            self._arm(self.book.limits.body_seconds, self._body_too_slow)

    def on_headers_complete(self) -> None:
        self._awaiting_head = False
        self._head_bytes = 0
        self._disarm()
        self.book.serving(self)
        super().on_headers_complete()
        self._requests += 1
        if self._requests >= self.book.limits.requests_per_connection and self.cycle is not None:
            self.cycle.keep_alive = False  # the answer says `connection: close`

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # uvicorn arms its keep-alive timer only when no pipelined request follows: the socket now waits for a head.
        if self.timeout_keep_alive_task is not None and not self.transport.is_closing():
            self._awaiting_head = True
            self.book.waiting(self)
            self._arm(self.book.limits.head_seconds, self._head_too_slow)

    def make_room(self) -> None:
        """Closed for a newcomer: this socket has no request in progress (idle, or its head still arriving)."""
        self.book.leave(self, self._address)
        self._disarm()
        self.transport.close()

    def _arm(self, seconds: float, then: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, then)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _answer_and_close(self, answer: bytes) -> None:
        self._disarm()
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()

    def _head_too_slow(self) -> None:
        self._deadline = None
        self.book.timed_out += 1
        self._answer_and_close(HEAD_TOO_SLOW)

    def _body_too_slow(self) -> None:
        self._deadline = None
        self.book.timed_out += 1
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # The app waiting for the rest of the body hears that the client left, and its answer goes nowhere.
            started = cycle.response_started
            cycle.disconnected = True
            cycle.message_event.set()
            if not started:
                self._answer_and_close(HEAD_TOO_SLOW)
                return
        self.transport.close()


def guarded_protocol(book: ConnectionBook) -> type[GuardedHttp]:
    """The protocol class uvicorn instantiates per connection, bound to this process's book."""
    return type("GuardedHttp", (GuardedHttp,), {"book": book})
