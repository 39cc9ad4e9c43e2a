"""Printer addresses as IT writes them in the kiosk's configuration.

`tcp://host:port`, `usb://VID:PID` (hex), `serial:///dev/ttyUSB0?baud=115200`, `file:///path`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, urlsplit

DEFAULT_TCP_PORT = 9100
DEFAULT_BAUD = 115200
# Slower links take seconds per ticket of raster lines; such printers must be reconfigured, not tolerated.
MINIMUM_BAUD = 115200


class PrinterError(Exception):
    """The printer cannot be used; `reason` is a stable snake_case code for logs, alerts and the CLI."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason = reason


class TransportKind(StrEnum):
    TCP = "tcp"
    USB = "usb"
    SERIAL = "serial"
    FILE = "file"


@dataclass(frozen=True, slots=True)
class PrinterUri:
    kind: TransportKind
    host: str = ""
    port: int = 0
    vendor_id: int = 0
    product_id: int = 0
    path: str = ""
    baud: int = 0


def _parse_usb(netloc: str) -> PrinterUri:
    try:
        vendor, product = (int(part, 16) for part in netloc.split(":"))
    except ValueError as exc:
        raise PrinterError("bad_printer_uri", "usb:// needs VID:PID in hex, e.g. usb://0416:5011") from exc
    if not (0 < vendor <= 0xFFFF and 0 < product <= 0xFFFF):
        raise PrinterError("bad_printer_uri", "USB ids are 16-bit hex numbers")
    return PrinterUri(TransportKind.USB, vendor_id=vendor, product_id=product)


def parse_printer_uri(text: str) -> PrinterUri:
    parts = urlsplit(text.strip())
    scheme = parts.scheme.lower()
    if scheme == "tcp":
        try:
            port = parts.port or DEFAULT_TCP_PORT
        except ValueError as exc:
            raise PrinterError("bad_printer_uri", "bad TCP port") from exc
        if not parts.hostname:
            raise PrinterError("bad_printer_uri", "tcp:// needs a host")
        return PrinterUri(TransportKind.TCP, host=parts.hostname, port=port)
    if scheme == "usb":
        return _parse_usb(parts.netloc)
    if scheme == "serial":
        baud_values = parse_qs(parts.query).get("baud", [str(DEFAULT_BAUD)])
        if not baud_values[0].isdigit():
            raise PrinterError("bad_printer_uri", "baud must be a number")
        baud = int(baud_values[0])
        if baud < MINIMUM_BAUD:
            raise PrinterError("baud_too_slow", f"serial printers must run at {MINIMUM_BAUD} baud or faster")
        if not parts.path:
            raise PrinterError("bad_printer_uri", "serial:// needs a device path")
        return PrinterUri(TransportKind.SERIAL, path=parts.path, baud=baud)
    if scheme == "file":
        if not parts.path:
            raise PrinterError("bad_printer_uri", "file:// needs a path")
        return PrinterUri(TransportKind.FILE, path=parts.path)
    raise PrinterError("bad_printer_uri", "printer URI must start with tcp://, usb://, serial:// or file://")
