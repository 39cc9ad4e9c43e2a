"""Command APDUs (short and extended length), status words and the transport every chip session talks through."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

from asn1crypto import parser

from kiosk.hardware.chip.errors import ChipError, ChipErrorCode


class StatusWord(IntEnum):
    """The status words an eMRTD session acts on."""

    OK = 0x9000
    END_OF_FILE = 0x6282  # fewer bytes than asked: the file ended
    AUTHENTICATION_FAILED = 0x6300
    WRONG_LENGTH = 0x6700
    SECURITY_NOT_SATISFIED = 0x6982
    SM_OBJECTS_MISSING = 0x6987
    SM_OBJECTS_INCORRECT = 0x6988
    CONDITIONS_NOT_SATISFIED = 0x6985
    FILE_NOT_FOUND = 0x6A82
    WRONG_P1P2 = 0x6A86
    WRONG_OFFSET = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00


class ApduTransport(Protocol):
    """One connected card: send a command APDU, get the response data followed by SW1 SW2."""

    def transmit(self, command: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Command:
    """A plain command APDU before encoding (or before secure messaging wraps it)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # expected response length; 256 (short) / 65536 (extended) mean "as much as there is"

    def encode(self, extended: bool = False) -> bytes:
        header = bytes((self.cla, self.ins, self.p1, self.p2))
        if extended:
            body = b""
            if self.data:
                body += b"\x00" + len(self.data).to_bytes(2, "big") + self.data
            if self.le is not None:
                le = (self.le % 65536).to_bytes(2, "big")
                body += le if self.data else b"\x00" + le
            return header + body
        body = bytes((len(self.data),)) + self.data if self.data else b""
        if self.le is not None:
            body += bytes((self.le % 256,))
        return header + body


def split_status(response: bytes) -> tuple[bytes, int]:
    """Response data and the status word as one integer."""
    if len(response) < 2:
        raise ChipError(ChipErrorCode.CARD_ERROR, "response shorter than a status word")
    return response[:-2], int.from_bytes(response[-2:], "big")


def encode_length(n: int) -> bytes:
    """A BER definite length."""
    if n < 0x80:
        return bytes((n,))
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(raw),)) + raw


def tlv(tag: int, value: bytes) -> bytes:
    """One BER-TLV with a one-byte tag (all the secure messaging objects have one)."""
    return bytes((tag,)) + encode_length(len(value)) + value


def iter_tlv(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """The top-level TLVs in `data` as (first tag byte, whole encoding, value); ValueError when malformed."""
    out: list[tuple[int, bytes, bytes]] = []
    pointer = 0
    while pointer < len(data):
        _cls, _method, _tag, header, contents, trailer = parser.parse(data[pointer:])
        whole = header + contents + trailer
        out.append((header[0], whole, contents))
        pointer += len(whole)
    return out
