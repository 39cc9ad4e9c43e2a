"""Reads an ESC/POS byte stream back into what a printer would do: text with its size, raster images as pixels,
QR payloads, feeds, cuts and status queries. Unknown commands raise, so a test notices bytes it did not expect."""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

ESC, GS, DLE = 0x1B, 0x1D, 0x10


class IncompleteCommandError(Exception):
    """The command continues in bytes not received yet."""


@dataclass(frozen=True)
class Init:
    pass


@dataclass(frozen=True)
class Text:
    text: str
    width_scale: int
    height_scale: int
    bold: bool
    align: int


@dataclass(frozen=True)
class Raster:
    image: Image.Image  # mode "1", black = a burnt dot
    align: int


@dataclass(frozen=True)
class Qr:
    payload: str
    module_dots: int
    error_level: int
    align: int


@dataclass(frozen=True)
class Feed:
    dots: int = 0
    lines: int = 0


@dataclass(frozen=True)
class Cut:
    mode: int


@dataclass(frozen=True)
class RealtimeStatus:
    n: int


@dataclass(frozen=True)
class TransmitStatus:
    n: int


Event = Init | Text | Raster | Qr | Feed | Cut | RealtimeStatus | TransmitStatus


@dataclass
class EscposStreamParser:
    """Feed bytes as they arrive; complete commands come out as events, in order."""

    buffer: bytearray = field(default_factory=bytearray)
    align: int = 0
    bold: bool = False
    size: int = 0
    text: bytearray = field(default_factory=bytearray)
    qr_module: int = 3
    qr_error: int = 48
    qr_payload: bytes = b""

    def feed(self, data: bytes) -> list[Event]:
        self.buffer += data
        events: list[Event] = []
        while self.buffer:
            try:
                event, used = self._one(bytes(self.buffer))
            except IncompleteCommandError:
                break
            del self.buffer[:used]
            if event is not None:
                events.append(event)
        return events

    def _need(self, buf: bytes, n: int) -> None:
        if len(buf) < n:
            raise IncompleteCommandError

    def _one(self, buf: bytes) -> tuple[Event | None, int]:
        first = buf[0]
        if first == 0x0A:
            if not self.text:
                return Feed(lines=1), 1
            text = Text(self.text.decode("ascii"), (self.size >> 4) + 1, (self.size & 0x0F) + 1, self.bold, self.align)
            self.text.clear()
            return text, 1
        if first == ESC:
            return self._esc(buf)
        if first == GS:
            return self._gs(buf)
        if first == DLE:
            self._need(buf, 3)
            if buf[1] != 0x04:
                raise ValueError(f"unknown DLE command {buf[:3].hex()}")
            return RealtimeStatus(buf[2]), 3
        if 0x20 <= first < 0x7F:
            self.text.append(first)
            return None, 1
        raise ValueError(f"unexpected byte {first:#04x}")

    def _esc(self, buf: bytes) -> tuple[Event | None, int]:
        self._need(buf, 2)
        cmd = buf[1]
        if cmd == ord("@"):
            self.align, self.bold, self.size = 0, False, 0
            return Init(), 2
        self._need(buf, 3)
        arg = buf[2]
        if cmd == ord("a"):
            self.align = arg % 48
            return None, 3
        if cmd == ord("E"):
            self.bold = bool(arg & 1)
            return None, 3
        if cmd == ord("J"):
            return Feed(dots=arg), 3
        if cmd == ord("d"):
            return Feed(lines=arg), 3
        raise ValueError(f"unknown ESC command {buf[:3].hex()}")

    def _gs(self, buf: bytes) -> tuple[Event | None, int]:
        self._need(buf, 3)
        cmd = buf[1]
        if cmd == ord("!"):
            self.size = buf[2]
            return None, 3
        if cmd == ord("r"):
            return TransmitStatus(buf[2]), 3
        if cmd == ord("V"):
            if buf[2] in (65, 66):
                self._need(buf, 4)
                return Cut(buf[2]), 4
            return Cut(buf[2]), 3
        if cmd == ord("v") and buf[2] == ord("0"):
            return self._raster(buf)
        if cmd == ord("(") and buf[2] == ord("k"):
            return self._qr(buf)
        raise ValueError(f"unknown GS command {buf[:3].hex()}")

    def _raster(self, buf: bytes) -> tuple[Event, int]:
        self._need(buf, 8)
        width_bytes = int.from_bytes(buf[4:6], "little")
        height = int.from_bytes(buf[6:8], "little")
        end = 8 + width_bytes * height
        self._need(buf, end)
        # In the stream 1 = burn a dot; in a mode "1" image 0 is black.
        image = Image.frombytes("1", (width_bytes * 8, height), bytes(buf[8:end]), "raw", "1;I")
        return Raster(image, self.align), end

    def _qr(self, buf: bytes) -> tuple[Event | None, int]:
        self._need(buf, 5)
        length = int.from_bytes(buf[3:5], "little")
        end = 5 + length
        self._need(buf, end)
        cn, fn, data = buf[5], buf[6], bytes(buf[7:end])
        if cn != 49:
            raise ValueError(f"2D code type {cn} is not QR")
        if fn == 67:
            self.qr_module = data[0]
        elif fn == 69:
            self.qr_error = data[0]
        elif fn == 80:
            self.qr_payload = data[1:]
        elif fn == 81:
            return Qr(self.qr_payload.decode("utf-8"), self.qr_module, self.qr_error, self.align), end
        return None, end


def parse(data: bytes) -> list[Event]:
    parser = EscposStreamParser()
    events = parser.feed(data)
    if parser.buffer:
        raise ValueError(f"{len(parser.buffer)} bytes left over: an incomplete command")
    return events
