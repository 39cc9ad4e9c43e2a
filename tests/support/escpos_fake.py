"""A test ESC/POS printer with scriptable faults (the OctoPrint virtual-printer idea), on TCP or a pseudo-terminal.

It parses what it receives (tests/support/escpos_parser.py), "prints" it in order, answers `DLE EOT n` at once and
`GS r 1` only after everything before it was printed, exactly like an Epson-style printer: when the paper runs out
it stops and the rest waits until paper is back. Faults: paper near end / out (now, or after N raster images),
cover open, offline, error, silent, no answer to `GS r`, slow replies, dropped connection after N bytes, power off / on.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import tty
from dataclasses import dataclass, field

from tests.support.escpos_parser import Cut, EscposStreamParser, Event, Raster, RealtimeStatus, TransmitStatus


@dataclass
class Faults:
    paper_near_end: bool = False
    paper_out: bool = False
    cover_open: bool = False
    offline: bool = False
    error: bool = False
    silent: bool = False
    reply_delay: float = 0.0
    paper_out_after_rasters: int | None = None
    drop_after_bytes: int | None = None
    # Some printers answer DLE EOT but ignore GS r (profile confirm_with = status_only).
    no_transmit_status: bool = False


@dataclass
class FakeEscposPrinter:
    """The printer's brain, independent of the wire; `send` is set by the link (TCP or pty)."""

    faults: Faults = field(default_factory=Faults)
    received: bytearray = field(default_factory=bytearray)
    printed: list[Event] = field(default_factory=list)
    pending: list[Event] = field(default_factory=list)
    status_queries: list[int] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    parser: EscposStreamParser = field(default_factory=EscposStreamParser)
    rasters_printed: int = 0
    late_replies_sent: int = 0

    def send(self, data: bytes) -> None:  # replaced by the link
        raise RuntimeError("no link")

    def receive(self, data: bytes) -> None:
        with self.lock:
            self.received += data
            for event in self.parser.feed(data):
                if isinstance(event, RealtimeStatus):
                    self.status_queries.append(event.n)
                    self._reply(self.realtime_status(event.n))
                else:
                    self.pending.append(event)
            self.process()

    def _reply(self, byte: int) -> None:
        if self.faults.silent:
            return
        if self.faults.reply_delay:
            timer = threading.Timer(self.faults.reply_delay, self._send_quietly, args=(bytes([byte]),))
            timer.daemon = True
            timer.start()
        else:
            self.send(bytes([byte]))

    def _send_quietly(self, data: bytes) -> None:
        # The client may have gone away before the late reply: that is the scenario under test.
        with contextlib.suppress(OSError):
            self.send(data)
        self.late_replies_sent += 1

    def can_print(self) -> bool:
        f = self.faults
        return not (f.paper_out or f.cover_open or f.offline or f.error)

    def process(self) -> None:
        """Print pending commands in order while the printer can; call again after clearing a fault."""
        with self.lock:
            while self.pending and self.can_print():
                event = self.pending.pop(0)
                if isinstance(event, TransmitStatus):
                    if not self.faults.no_transmit_status:
                        self._reply(self.transmit_status())
                    continue
                self.printed.append(event)
                if isinstance(event, Raster):
                    self.rasters_printed += 1
                    limit = self.faults.paper_out_after_rasters
                    if limit is not None and self.rasters_printed >= limit:
                        self.faults.paper_out = True

    def realtime_status(self, n: int) -> int:
        f = self.faults
        if n == 1:
            return 0x12 | (0x08 if not self.can_print() else 0)
        if n == 2:
            return 0x12 | (0x04 if f.cover_open else 0) | (0x20 if f.paper_out else 0) | (0x40 if f.error else 0)
        if n == 3:
            return 0x12
        if n == 4:
            return 0x12 | (0x0C if f.paper_near_end or f.paper_out else 0) | (0x60 if f.paper_out else 0)
        raise ValueError(f"DLE EOT {n}")

    def transmit_status(self) -> int:
        f = self.faults
        return (0x03 if f.paper_near_end or f.paper_out else 0) | (0x0C if f.paper_out else 0)

    def tickets(self) -> list[list[Event]]:
        """What came out of the printer, cut into tickets."""
        out: list[list[Event]] = [[]]
        for event in self.printed:
            out[-1].append(event)
            if isinstance(event, Cut):
                out.append([])
        return [t for t in out if t]


class FakePrinterServer:
    """The fake printer on 127.0.0.1, a free port; `power_off()` refuses connections until `power_on()`."""

    def __init__(self, printer: FakeEscposPrinter | None = None) -> None:
        self.printer = printer or FakeEscposPrinter()
        self.printer.send = self._send
        self._listener: socket.socket | None = None
        self._client: socket.socket | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.port = 0
        self.connections = 0

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self) -> FakePrinterServer:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(4)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="fake-printer", daemon=True)
        self._thread.start()
        return self

    def _send(self, data: bytes) -> None:
        client = self._client
        if client is not None:
            client.sendall(data)

    def _serve(self) -> None:
        assert self._listener is not None
        listener = self._listener
        while not self._stop.is_set():
            ready, _, _ = select.select([listener], [], [], 0.05)
            if not ready:
                continue
            client, _ = listener.accept()
            self.connections += 1
            # Assumed, not verified on hardware: the network interface drops a half-received command when its
            # connection drops, so a new connection starts clean.
            self.printer.parser = EscposStreamParser()
            self._client = client
            self._serve_client(client)
            self._client = None
            client.close()

    def _serve_client(self, client: socket.socket) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([client], [], [], 0.05)
            if not ready:
                continue
            try:
                data = client.recv(65536)
            except OSError:
                return
            if not data:
                return
            limit = self.printer.faults.drop_after_bytes
            if limit is not None and len(self.printer.received) + len(data) >= limit:
                self.printer.receive(data[: max(0, limit - len(self.printer.received))])
                self.printer.faults.drop_after_bytes = None
                client.shutdown(socket.SHUT_RDWR)
                return
            self.printer.receive(data)

    def power_off(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def power_on(self) -> None:
        self.printer.parser = EscposStreamParser()  # a rebooted printer forgets half-received commands
        self.start()

    stop = power_off


class FakePrinterPty:
    """The fake printer behind a pseudo-terminal: the kiosk opens `path` as a serial port."""

    def __init__(self, printer: FakeEscposPrinter | None = None) -> None:
        self.printer = printer or FakeEscposPrinter()
        self.printer.send = self._send
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no newline translation: bytes in are bytes out
        self.path = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-printer-pty", daemon=True)

    @property
    def uri(self) -> str:
        return f"serial://{self.path}?baud=115200"

    def start(self) -> FakePrinterPty:
        self._thread.start()
        return self

    def _send(self, data: bytes) -> None:
        os.write(self._master, data)

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self._master, 65536)
                except OSError:
                    return
                self.printer.receive(data)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        os.close(self._master)
        os.close(self._slave)
