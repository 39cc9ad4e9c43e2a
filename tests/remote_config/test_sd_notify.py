"""The kiosk's sd_notify messages arrive on a real unix datagram socket, as systemd would receive them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.remote_config import sd_notify


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[socket.socket]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(tmp_path / "notify"))
        sock.settimeout(2)
        yield sock


def test_ready_and_watchdog_reach_the_socket(notify_socket: socket.socket, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", notify_socket.getsockname())
    assert sd_notify.ready()
    assert sd_notify.watchdog()
    assert notify_socket.recv(100) == b"READY=1"
    assert notify_socket.recv(100) == b"WATCHDOG=1"


def test_abstract_socket_names_work(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"kiosk-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert sd_notify.ready()
        assert sock.recv(100) == b"READY=1"


def test_without_systemd_nothing_is_sent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sd_notify.ready() is False
    assert sd_notify.notify("READY=1", str(tmp_path / "gone")) is False


def test_watchdog_interval_is_half_of_watchdog_sec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "20000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert sd_notify.watchdog_interval_seconds() == 10.0
    monkeypatch.setenv("WATCHDOG_PID", "1")  # meant for another process
    assert sd_notify.watchdog_interval_seconds() is None


async def test_the_watchdog_loop_pings_until_stopped(
    notify_socket: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", notify_socket.getsockname())
    monkeypatch.setenv("WATCHDOG_USEC", "100000")  # 0.1 s: a ping every 0.05 s
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    stop = asyncio.Event()
    task = asyncio.create_task(sd_notify.keep_watchdog(stop))
    await asyncio.sleep(0.2)
    stop.set()
    await task
    notify_socket.setblocking(False)
    pings = []
    with contextlib.suppress(BlockingIOError):
        while True:
            pings.append(notify_socket.recv(100))
    assert len(pings) >= 3
    assert set(pings) == {b"WATCHDOG=1"}


async def test_no_ping_while_the_app_says_it_is_unhealthy(
    notify_socket: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", notify_socket.getsockname())
    monkeypatch.setenv("WATCHDOG_USEC", "100000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    stop = asyncio.Event()
    task = asyncio.create_task(sd_notify.keep_watchdog(stop, healthy=lambda: False))
    await asyncio.sleep(0.15)
    stop.set()
    await task
    notify_socket.setblocking(False)
    with pytest.raises(BlockingIOError):
        notify_socket.recv(100)
