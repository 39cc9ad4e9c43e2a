"""The printer connection through python-escpos: TCP, USB, serial or a file, with reads that have a deadline.

python-escpos opens the device and writes; the deadline-bound reads and the draining of stale replies are done
here on its device object, because its own `_read()` blocks for the connection's whole timeout (60 s by
default) and a late reply is read by the next query.
Used only from the printer's worker thread (kiosk.hardware.printer.worker).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import time
from pathlib import Path
from typing import Any

from kiosk.hardware.printer.uri import PrinterError, PrinterUri, TransportKind


def _capabilities_cache() -> None:
    # python-escpos writes its capabilities pickle on import, into a fresh temp dir unless told where.
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "kiosk" / "escpos"
    directory = Path(os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(default)))
    directory.mkdir(parents=True, exist_ok=True)


_capabilities_cache()

import serial  # noqa: E402 - python-escpos needs the cache directory before it is imported
import usb.core  # noqa: E402
from escpos.exceptions import DeviceNotFoundError  # noqa: E402
from escpos.printer import File, Network, Serial, Usb  # noqa: E402

# Reads in the drain loop are this short: stale bytes are already waiting, a live printer answers in milliseconds.
_DRAIN_POLL_S = 0.02


def _cause_reason(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, ConnectionRefusedError):
        return "connection_refused"
    if isinstance(cause, TimeoutError):
        return "connect_timeout"
    if isinstance(cause, usb.core.USBError) and cause.errno == errno.EBUSY:
        return "busy"
    if isinstance(cause, serial.SerialException) and "busy" in str(cause).lower():
        return "busy"
    return "not_found"


class EscposTransport:
    """One open connection to one printer; not thread-safe by design (one worker thread owns it)."""

    def __init__(self, uri: PrinterUri, *, io_timeout: float = 5.0) -> None:
        self.uri = uri
        self.io_timeout = io_timeout
        self._printer: Any = None

    @property
    def can_read(self) -> bool:
        return self.uri.kind is not TransportKind.FILE

    @property
    def is_open(self) -> bool:
        return self._printer is not None

    def open(self) -> None:
        printer = self._make_printer()
        if self.uri.kind is TransportKind.TCP:
            # Network.open() drops a failed socket without closing it (a ResourceWarning per retry on a kiosk
            # that polls a powered-off printer); connecting here and handing it the socket avoids the leak.
            printer.device = self._connect_tcp()
        else:
            try:
                printer.open(raise_not_found=True)
            except DeviceNotFoundError as exc:
                raise PrinterError(_cause_reason(exc), str(exc)) from exc
            except usb.core.NoBackendError as exc:  # libusb missing: python-escpos lets this through
                raise PrinterError("no_usb_backend", str(exc)) from exc
        self._printer = printer

    def _connect_tcp(self) -> socket.socket:
        try:
            return socket.create_connection((self.uri.host, self.uri.port), timeout=self.io_timeout)
        except ConnectionRefusedError as exc:
            raise PrinterError("connection_refused", str(exc)) from exc
        except TimeoutError as exc:
            raise PrinterError("connect_timeout", str(exc)) from exc
        except OSError as exc:
            raise PrinterError("not_found", str(exc)) from exc

    def _make_printer(self) -> Any:
        uri = self.uri
        if uri.kind is TransportKind.TCP:
            return Network(host=uri.host, port=uri.port, timeout=self.io_timeout)
        if uri.kind is TransportKind.USB:
            # pyusb timeouts are in milliseconds.
            return Usb(idVendor=uri.vendor_id, idProduct=uri.product_id, timeout=int(self.io_timeout * 1000))
        if uri.kind is TransportKind.SERIAL:
            # No DSR/DTR flow control: many USB-serial bridges in kiosks leave those lines floating.
            return Serial(devfile=uri.path, baudrate=uri.baud, timeout=self.io_timeout, dsrdtr=False)
        return File(devfile=uri.path)

    def close(self) -> None:
        printer, self._printer = self._printer, None
        if printer is None:
            return
        # The device may already be gone (unplugged, powered off): then there is nothing left to release.
        with contextlib.suppress(OSError, usb.core.USBError, serial.SerialException):
            printer.close()

    def _device(self) -> Any:
        if self._printer is None:
            raise PrinterError("not_open")
        return self._printer.device

    def write(self, data: bytes) -> None:
        device = self._device()
        try:
            if self.uri.kind is TransportKind.TCP:
                device.settimeout(self.io_timeout)
            self._printer._raw(data)
        except (OSError, usb.core.USBError, serial.SerialException) as exc:
            raise PrinterError("connection_lost", str(exc)) from exc

    def read(self, count: int, timeout: float) -> bytes:
        """Up to `count` bytes that arrive within `timeout` seconds; b"" when the printer stays silent."""
        if not self.can_read:
            return b""
        deadline = time.monotonic() + max(0.0, timeout)
        received = b""
        while len(received) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            chunk = self._read_some(count - len(received), remaining)
            if not chunk and self.uri.kind is not TransportKind.TCP:
                continue
            received += chunk
        return received

    def _read_some(self, count: int, timeout: float) -> bytes:
        device = self._device()
        try:
            if self.uri.kind is TransportKind.TCP:
                device.settimeout(timeout)
                chunk: bytes = device.recv(count)
                if not chunk:
                    raise PrinterError("connection_lost", "the printer closed the connection")
                return chunk
            if self.uri.kind is TransportKind.SERIAL:
                device.timeout = timeout
                return bytes(device.read(count))
            return bytes(device.read(self._printer.in_ep, max(count, 16), timeout=max(1, int(timeout * 1000))))
        except (TimeoutError, usb.core.USBTimeoutError):
            return b""
        except (OSError, usb.core.USBError, serial.SerialException) as exc:
            raise PrinterError("connection_lost", str(exc)) from exc

    def drain(self) -> int:
        """Throw away replies nobody waited for (a slow printer's late answer); returns how many bytes."""
        if not self.can_read:
            return 0
        dropped = 0
        while True:
            chunk = self._read_some(64, _DRAIN_POLL_S)
            if not chunk:
                return dropped
            dropped += len(chunk)


def open_transport(uri: PrinterUri, *, io_timeout: float = 5.0) -> EscposTransport:
    transport = EscposTransport(uri, io_timeout=io_timeout)
    transport.open()
    return transport
