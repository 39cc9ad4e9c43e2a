"""Tells systemd the kiosk is up (READY=1) and alive (WATCHDOG=1) over $NOTIFY_SOCKET; silent without systemd."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Callable


def notify(message: str, socket_path: str | None = None) -> bool:
    """Send one sd_notify datagram; False when not run by systemd (no socket) or the socket is gone."""
    path = socket_path if socket_path is not None else os.environ.get("NOTIFY_SOCKET", "")
    if not path:
        return False
    address = "\0" + path[1:] if path.startswith("@") else path  # '@' names an abstract socket
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
        try:
            sock.connect(address)
            sock.sendall(message.encode())
        except OSError:
            return False
    return True


def ready() -> bool:
    return notify("READY=1")


def watchdog() -> bool:
    return notify("WATCHDOG=1")


def watchdog_interval_seconds() -> float | None:
    """Half of systemd's WatchdogSec (the usual margin), or None when no watchdog is set for this process."""
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 2_000_000


async def keep_watchdog(stop: asyncio.Event, healthy: Callable[[], bool] = lambda: True) -> None:
    """Ping the watchdog from the kiosk's own event loop: if the loop hangs, the pings stop and systemd restarts us.

    `healthy` lets the app withhold pings on its own (e.g. the UI has not drawn a frame for a minute).
    """
    interval = watchdog_interval_seconds()
    if interval is None:
        return
    while not stop.is_set():
        if healthy():
            watchdog()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
