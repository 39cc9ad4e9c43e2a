"""Reading files over secure messaging, whichever access control opened it: SELECT the eMRTD application, READ BINARY
by short file identifier (falling back to SELECT), in the largest chunks the link and the cipher allow, READ BINARY B1
past 32 KiB. Blocking: the adapter runs it on the reader's thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from kiosk.hardware.chip.apdu import ApduTransport, Command, StatusWord, encode_length, iter_tlv, split_status, tlv
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode, StatusWordError
from kiosk.hardware.chip.lds import LdsFile, total_length
from kiosk.hardware.chip.secure_messaging import ProtectedChannel, SecureMessagingError

EMRTD_AID = bytes.fromhex("A0000002471001")
# Extended length: one READ BINARY can fetch a whole data group; offsets in P1-P2 stop at 32767 anyway.
EXTENDED_READ = 0x7FFF
MAX_B0_OFFSET = 0x7FFF  # beyond this, READ BINARY with odd INS (B1) and the offset in DO54
MAX_FILE = 0xFFFF
SHORT_RESPONSE = 256  # the most data a short-length answer carries
EXTENDED_RESPONSE = 65536


def sm_response_size(plain: int, block: int = 8) -> int:
    """Bytes of a secure messaging answer carrying `plain` bytes: DO87 (indicator + padded cryptogram), DO99, DO8E."""
    do87 = 0
    if plain:
        cryptogram = 1 + (plain // block + 1) * block
        do87 = 1 + len(encode_length(cryptogram)) + cryptogram
    return do87 + 4 + 10


def largest_chunk(budget: int, block: int = 8) -> int:
    """The most plain bytes one READ BINARY can ask for when the answer may carry `budget` bytes of data."""
    plain = min(budget, EXTENDED_READ)
    while plain > 0 and sm_response_size(plain, block) > budget:
        plain -= 1
    return plain


SHORT_READ = largest_chunk(SHORT_RESPONSE)  # 231 (0xE7) under 3DES; 223 under AES's 16-byte blocks
_SFI_UNSUPPORTED = {StatusWord.WRONG_P1P2, StatusWord.INS_NOT_SUPPORTED, 0x6A81, 0x6981, 0x6E00}


class WireCounter:
    """Counts APDUs and bytes through a transport and enforces the read's deadline between commands."""

    def __init__(self, transport: ApduTransport, deadline: float) -> None:
        self._transport = transport
        self._deadline = deadline
        self.apdus = 0
        self.sent = 0
        self.received = 0

    def transmit(self, command: bytes) -> bytes:
        if time.monotonic() > self._deadline:
            raise ChipError(ChipErrorCode.TIMEOUT)
        response = self._transport.transmit(command)
        self.apdus += 1
        self.sent += len(command)
        self.received += len(response)
        return response

    def reset(self) -> None:
        reset = getattr(self._transport, "reset", None)
        if reset is None:
            raise ChipError(ChipErrorCode.READER_ERROR, "the link cannot reset the card")
        reset()


@dataclass(slots=True)
class SecureSession:
    """The secure channel plus how to read files over it (SFI reads until the card says it cannot)."""

    transport: ApduTransport
    channel: ProtectedChannel
    extended: bool
    response_budget: int | None = None  # bytes an answer may carry; None: what the length mode allows
    read_chunk: int | None = None  # plain bytes per READ BINARY, when configured
    use_sfi: bool = True

    @property
    def chunk(self) -> int:
        """Plain bytes per READ BINARY: the cipher's block size changes the secure messaging overhead."""
        if self.read_chunk is not None:
            return self.read_chunk
        budget = self.response_budget or (EXTENDED_RESPONSE if self.extended else SHORT_RESPONSE)
        return largest_chunk(budget, self.channel.block)

    def send(self, command: Command, name: str) -> tuple[bytes, int]:
        protected = self.channel.wrap(command, self.extended)
        data, sw = split_status(self.transport.transmit(protected))
        try:
            return self.channel.unwrap(data, sw, name)
        except SecureMessagingError as exc:
            raise ChipError(ChipErrorCode.SECURE_MESSAGING, str(exc)) from exc

    def _read_binary(self, offset: int, length: int, sfi: int | None) -> tuple[bytes, int]:
        if offset > MAX_B0_OFFSET:
            return self._read_binary_odd(offset, length)
        p1, p2 = (0x80 | sfi, offset) if sfi is not None else (offset >> 8, offset & 0xFF)
        return self.send(Command(0x00, 0xB0, p1, p2, le=length), "READ BINARY")

    def _read_binary_odd(self, offset: int, length: int) -> tuple[bytes, int]:
        """READ BINARY B1: the offset travels as DO54 and the answer comes wrapped in DO53 (files over 32 KiB)."""
        raw = offset.to_bytes((offset.bit_length() + 7) // 8, "big")
        data, sw = self.send(Command(0x00, 0xB1, 0x00, 0x00, tlv(0x54, raw), le=length + 4), "READ BINARY B1")
        if not data:
            return data, sw
        try:
            objects = iter_tlv(data)
        except ValueError as exc:
            raise ChipError(ChipErrorCode.BAD_DATA, "READ BINARY B1 answer") from exc
        if len(objects) != 1 or objects[0][0] != 0x53:
            raise ChipError(ChipErrorCode.BAD_DATA, "READ BINARY B1 answer without DO53")
        return objects[0][2], sw

    def _select(self, file: LdsFile) -> int:
        _, sw = self.send(Command(0x00, 0xA4, 0x02, 0x0C, file.fid.to_bytes(2, "big")), "SELECT")
        return sw

    def _first_chunk(self, file: LdsFile, chunk: int) -> bytes | None:
        if self.use_sfi:
            data, sw = self._read_binary(0, chunk, file.sfi)
            if sw not in _SFI_UNSUPPORTED:
                return _checked(data, sw, file)
            self.use_sfi = False
        sw = self._select(file)
        if sw == StatusWord.FILE_NOT_FOUND:
            return None
        if sw != StatusWord.OK:
            raise _status_error(sw, f"SELECT {file.name}")
        data, sw = self._read_binary(0, chunk, None)
        return _checked(data, sw, file)

    def read_file(self, file: LdsFile) -> bytes | None:
        """The whole file, or None when the card does not have it."""
        chunk = self.chunk
        content = self._first_chunk(file, chunk)
        if content is None:
            return None
        size = total_length(content)
        if size > MAX_FILE:
            raise ChipError(ChipErrorCode.BAD_DATA, f"{file.name} larger than an LDS file can be")
        while len(content) < size:
            data, sw = self._read_binary(len(content), min(chunk, size - len(content)), None)
            checked = _checked(data, sw, file)
            if not checked:
                raise ChipError(ChipErrorCode.BAD_DATA, f"{file.name} ended early")
            content += checked
        return content[:size]


def _checked(data: bytes, sw: int, file: LdsFile) -> bytes | None:
    if sw in (StatusWord.OK, StatusWord.END_OF_FILE):
        return data
    if sw == StatusWord.FILE_NOT_FOUND:
        return None
    raise _status_error(sw, f"READ {file.name}")


def _status_error(sw: int, command: str) -> StatusWordError:
    if sw == StatusWord.SECURITY_NOT_SATISFIED:
        return StatusWordError(ChipErrorCode.ACCESS_DENIED, sw, command)
    if sw in (StatusWord.SM_OBJECTS_MISSING, StatusWord.SM_OBJECTS_INCORRECT):
        return StatusWordError(ChipErrorCode.SECURE_MESSAGING, sw, command)
    return StatusWordError(ChipErrorCode.CARD_ERROR, sw, command)


def select_application(transport: ApduTransport) -> None:
    """SELECT the eMRTD application by AID, plain (before BAC)."""
    _, sw = split_status(transport.transmit(_SELECT_AID.encode()))
    _check_select(sw)


def select_application_protected(session: SecureSession) -> None:
    """SELECT the eMRTD application under secure messaging (after PACE, which runs at the master file)."""
    _, sw = session.send(_SELECT_AID, "SELECT AID")
    _check_select(sw)


_SELECT_AID = Command(0x00, 0xA4, 0x04, 0x0C, EMRTD_AID)


def _check_select(sw: int) -> None:
    if sw == StatusWord.FILE_NOT_FOUND:
        raise ChipError(ChipErrorCode.NOT_AN_ID_CARD)
    if sw != StatusWord.OK:
        raise _status_error(sw, "SELECT AID")
