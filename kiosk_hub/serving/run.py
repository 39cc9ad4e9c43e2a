"""`kiosk-hub serve`: uvicorn over the hub's app, its sockets capped below the process's open-file limit."""

from __future__ import annotations

import logging
import resource
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

from kiosk_hub.serving.connections import ConnectionBook, ConnectionLimits, guarded_protocol
from kiosk_hub.settings import ServerLimits

log = logging.getLogger("kiosk_hub.serving")

# Descriptors the process holds besides client sockets: SQLite's pool (up to 40 connections, each with the database,
# its WAL and its shared-memory file open), or PostgreSQL's (up to 60 sockets); the BHXH client's pool (up to 100);
# the event loop, the listening socket, the writer's flock, standard streams and files opened in passing.
RESERVED_DESCRIPTORS = 320
# Connections the kernel may queue before they are accepted. The loop accepts everything queued in one go, before a
# single one can be closed, so the queue's length is reserved on top of the cap too.
BACKLOG = 128
FEWEST_CONNECTIONS = 32


def connection_cap(max_connections: int, backlog: int = BACKLOG) -> tuple[int, int]:
    """(the most client sockets this process holds, its soft open-file limit)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return max_connections, soft
    return max(FEWEST_CONNECTIONS, min(max_connections, soft - RESERVED_DESCRIPTORS - backlog)), soft


def connection_book(limits: ServerLimits) -> ConnectionBook:
    cap, open_files = connection_cap(limits.max_connections)
    if cap < limits.max_connections:
        log.warning(
            "open-file limit %d leaves room for %d client sockets (KIOSK_HUB_MAX_CONNECTIONS %d): raise LimitNOFILE",
            open_files,
            cap,
            limits.max_connections,
        )
    return ConnectionBook(
        ConnectionLimits(
            head_seconds=limits.head_timeout_seconds,
            body_seconds=limits.body_timeout_seconds,
            max_head_bytes=limits.max_head_bytes,
            per_address=limits.connections_per_address,
            total=cap,
            requests_per_connection=limits.requests_per_connection,
            exempt_addresses=frozenset(limits.proxy_addresses),
        )
    )


@dataclass(frozen=True)
class TlsFiles:
    """The certificate (then any intermediates) and its key, PEM, when the hub serves HTTPS itself."""

    certificate: str
    key: str


GRACEFUL_SHUTDOWN_SECONDS = 3


def server_config(
    app: ASGIApp,
    limits: ServerLimits,
    book: ConnectionBook,
    *,
    host: str,
    port: int,
    log_level: str,
    tls: TlsFiles | None = None,
) -> uvicorn.Config:
    """uvicorn's settings for the hub: the guarded protocol bound to `book`, the keep-alive, the accept queue, the
    proxies whose X-Forwarded-For is believed, and the certificate when the hub serves HTTPS itself (`ssl_certfile`,
    `TlsFiles`)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        http=guarded_protocol(book),
        timeout_keep_alive=limits.keep_alive_seconds,
        # Waiting-room screens and phone pages hold streams open: on stop they are cut after this, and reconnect.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        backlog=BACKLOG,
        forwarded_allow_ips=list(limits.proxy_addresses),
        ssl_certfile=tls.certificate if tls else None,
        ssl_keyfile=tls.key if tls else None,
    )


def serve(
    app: ASGIApp, limits: ServerLimits, *, host: str, port: int, log_level: str, tls: TlsFiles | None = None
) -> None:
    """Serve until SIGINT/SIGTERM; `app.state.connections` (a Starlette app's) is the book, for the health check."""
    book = connection_book(limits)
    state = getattr(app, "state", None)
    if state is not None:
        state.connections = book
    log.info(
        "connection limits: %d sockets, %d per address, head %.0f s, body %.0f s, keep-alive %d s",
        book.limits.total,
        book.limits.per_address,
        book.limits.head_seconds,
        book.limits.body_seconds,
        limits.keep_alive_seconds,
    )
    uvicorn.Server(server_config(app, limits, book, host=host, port=port, log_level=log_level, tls=tls)).run()
