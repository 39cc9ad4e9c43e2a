"""Secure messaging (ICAO 9303-11 §9.8): wrap commands, check and open responses, keep the send sequence counter.

The same objects (DO85/87, DO97, DO99, DO8E) under either cipher: 3DES after BAC, 3DES or AES after PACE and
chip authentication (`sm_cipher`).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Protocol

from kiosk.hardware.chip import crypto
from kiosk.hardware.chip.apdu import Command, StatusWord, iter_tlv, tlv
from kiosk.hardware.chip.errors import ChipErrorCode, StatusWordError
from kiosk.hardware.chip.sm_cipher import TDES, AesCipher, TripleDesCipher

_DO85, _DO87, _DO97, _DO99, _DO8E = 0x85, 0x87, 0x97, 0x99, 0x8E


class SecureMessagingError(Exception):
    """The card's answer fails the MAC or lacks the secure messaging objects: the session cannot go on."""


class ProtectedChannel(Protocol):
    """What the file reader needs of secure messaging, whichever protocol opened it and whichever cipher it uses."""

    @property
    def block(self) -> int: ...

    def wrap(self, command: Command, extended: bool) -> bytes: ...

    def unwrap(self, data: bytes, sw: int, command_name: str) -> tuple[bytes, int]: ...


@dataclass(slots=True)
class SecureChannel:
    """Session keys and the send sequence counter; every wrap and every unwrap advances the counter by one."""

    ks_enc: bytes
    ks_mac: bytes
    ssc: int
    cipher: TripleDesCipher | AesCipher = TDES

    @property
    def block(self) -> int:
        return self.cipher.block

    def _next_ssc(self) -> bytes:
        self.ssc = (self.ssc + 1) % (1 << (8 * self.cipher.ssc_size))
        return self.ssc.to_bytes(self.cipher.ssc_size, "big")

    def wrap(self, command: Command, extended: bool) -> bytes:
        """The protected APDU for a plain command (class byte with bits 0x0C set, DO87/DO97/DO8E)."""
        cla = command.cla | 0x0C
        header = bytes((cla, command.ins, command.p1, command.p2))
        ssc = self._next_ssc()
        do87 = b""
        if command.data:
            cryptogram = self.cipher.encrypt(self.ks_enc, ssc, crypto.pad(command.data, self.block))
            # Odd INS (READ BINARY B1) carries BER-TLV data: DO85, without the padding-content indicator.
            do87 = tlv(_DO85, cryptogram) if command.ins & 1 else tlv(_DO87, b"\x01" + cryptogram)
        do97 = b""
        if command.le is not None:
            width = 2 if extended else 1
            do97 = tlv(_DO97, (command.le % (1 << (8 * width))).to_bytes(width, "big"))
        checksum = self.cipher.mac(self.ks_mac, ssc + crypto.pad(header, self.block) + do87 + do97)
        body = do87 + do97 + tlv(_DO8E, checksum)
        le = 65536 if extended else 256
        return Command(cla, command.ins, command.p1, command.p2, body, le).encode(extended)

    def unwrap(self, data: bytes, sw: int, command_name: str) -> tuple[bytes, int]:
        """Check the response MAC and decrypt; returns the plain data and the card's inner status word."""
        ssc = self._next_ssc()
        if sw in (StatusWord.SM_OBJECTS_MISSING, StatusWord.SM_OBJECTS_INCORRECT):
            raise StatusWordError(ChipErrorCode.SECURE_MESSAGING, sw, command_name)
        try:
            objects = iter_tlv(data)
        except ValueError as exc:
            raise SecureMessagingError("malformed secure messaging response") from exc
        found = {tag: (whole, value) for tag, whole, value in objects}
        if _DO8E not in found or _DO99 not in found:
            # A plain status word without the SM objects: the card broke off secure messaging.
            code = ChipErrorCode.SECURE_MESSAGING if sw == StatusWord.OK else _code_for(sw)
            raise StatusWordError(code, sw, command_name)
        signed = b"".join(whole for tag, whole, _ in objects if tag in (_DO85, _DO87, _DO99))
        if not hmac.compare_digest(self.cipher.mac(self.ks_mac, ssc + signed), found[_DO8E][1]):
            raise SecureMessagingError("response MAC does not match")
        inner_sw = int.from_bytes(found[_DO99][1], "big")
        if _DO87 in found:
            cryptogram = found[_DO87][1]
            if not cryptogram or cryptogram[0] != 0x01:
                raise SecureMessagingError("bad padding-content indicator")
            cryptogram = cryptogram[1:]
        elif _DO85 in found:
            cryptogram = found[_DO85][1]
        else:
            return b"", inner_sw
        if not cryptogram or len(cryptogram) % self.block:
            raise SecureMessagingError("cryptogram is not whole blocks")
        try:
            return crypto.unpad(self.cipher.decrypt(self.ks_enc, ssc, cryptogram)), inner_sw
        except ValueError as exc:
            raise SecureMessagingError("bad padding in the response") from exc


def _code_for(sw: int) -> ChipErrorCode:
    if sw == StatusWord.SECURITY_NOT_SATISFIED:
        return ChipErrorCode.ACCESS_DENIED
    return ChipErrorCode.CARD_ERROR
