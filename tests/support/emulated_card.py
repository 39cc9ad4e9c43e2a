"""A software CCCD chip: answers SELECT, GET CHALLENGE, EXTERNAL AUTHENTICATE and READ BINARY with BAC and secure
messaging, with switchable faults. Its crypto is pycryptodome, written from ICAO 9303-11 independently of the
kiosk's `cryptography` code, so that a mistake shared by both sides would still have to match the standard's example.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field

from Crypto.Cipher import DES, DES3

from tests.support.emulated_card_data import CardFiles

AID = bytes.fromhex("A0000002471001")
SFI_TO_FID = {0x1E: 0x011E, 0x1D: 0x011D, 0x01: 0x0101, 0x02: 0x0102, 0x0D: 0x010D}
OK, EOF_REACHED = b"\x90\x00", b"\x62\x82"
WRONG_KEY, WRONG_LENGTH, DENIED = b"\x63\x00", b"\x67\x00", b"\x69\x82"
SM_INCORRECT, NOT_FOUND, BAD_P1P2, BAD_OFFSET, NO_INS = b"\x69\x88", b"\x6a\x82", b"\x6a\x86", b"\x6b\x00", b"\x6d\x00"


def _atr(capabilities: int) -> bytes:
    # T=1 only; historical bytes: compact-TLV category 80, card capabilities (73) whose third byte's bit 0x40
    # says "extended Lc/Le supported"; TCK makes the XOR of T0..TCK zero.
    body = bytes((0x85, 0x80, 0x01, 0x80, 0x73, 0x00, 0x00, capabilities))
    check = 0
    for byte in body:
        check ^= byte
    return b"\x3b" + body + bytes((check,))


ATR_EXTENDED, ATR_SHORT = _atr(0x40), _atr(0x00)


def _pad(data: bytes) -> bytes:
    data += b"\x80"
    return data + bytes(-len(data) % 8)


def _unpad(data: bytes) -> bytes:
    return data[: data.rstrip(b"\x00").rindex(b"\x80")]


def _derive(seed: bytes, counter: int) -> bytes:
    return hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()[:16]


def _retail_mac(key: bytes, data: bytes) -> bytes:
    state = bytes(8)
    for i in range(0, len(data := _pad(data)), 8):
        block = bytes(a ^ b for a, b in zip(state, data[i : i + 8], strict=True))
        state = DES.new(key[:8], DES.MODE_ECB).encrypt(block)
    state = DES.new(key[8:16], DES.MODE_ECB).decrypt(state)
    return DES.new(key[:8], DES.MODE_ECB).encrypt(state)


def _tdes(key: bytes) -> DES3:  # type: ignore[valid-type]
    return DES3.new(key, DES3.MODE_CBC, iv=bytes(8))


def _objects(data: bytes) -> dict[int, bytes]:
    found, i = {}, 0
    while i < len(data):
        tag, length, i = data[i], data[i + 1], i + 2
        if length == 0x81:
            length, i = data[i], i + 1
        elif length == 0x82:
            length, i = int.from_bytes(data[i : i + 2], "big"), i + 2
        found[tag], i = data[i : i + length], i + length
    return found


def _tlv(tag: int, value: bytes) -> bytes:
    n = len(value)
    head = bytes((n,)) if n < 0x80 else (b"\x81" + bytes((n,)) if n < 0x100 else b"\x82" + n.to_bytes(2, "big"))
    return bytes((tag,)) + head + value


@dataclass
class CardFaults:
    """Switchable misbehaviour. `pull_after_apdus` and `stall_after_apdus` are acted on by the vpcd link."""

    reject_next_sm_mac: bool = False  # answer 6988 as if the reader's MAC were wrong
    corrupt_response_mac: bool = False  # send a wrong MAC back
    deny_reads: bool = False  # 6982 to every READ BINARY
    no_sfi: bool = False  # READ BINARY with a short file identifier is not supported
    pull_after_apdus: int | None = None
    stall_after_apdus: int | None = None  # stop answering (until pulled), like a card half out of the field


@dataclass
class EmulatedCccd:
    """The card's state machine. `process` takes a command APDU and returns the response APDU."""

    files: CardFiles
    extended_length: bool = True
    faults: CardFaults = field(default_factory=CardFaults)
    apdus_seen: int = 0
    _app_selected: bool = False
    _challenge: bytes | None = None
    _keys: tuple[bytes, bytes] | None = None
    _ssc: int = 0
    _current: int | None = None

    @property
    def atr(self) -> bytes:
        return ATR_EXTENDED if self.extended_length else ATR_SHORT

    def reset(self) -> None:
        self._app_selected, self._challenge, self._keys, self._current = False, None, None, None

    def _bac_keys(self) -> tuple[bytes, bytes]:
        card = self.files.card
        from kiosk.domain.mrz import bac_key_seed  # the MRZ information string is the domain's, tested there

        seed = hashlib.sha1(bac_key_seed(card.document_number, card.date_of_birth, card.expiry).encode()).digest()
        return _derive(seed[:16], 1), _derive(seed[:16], 2)

    def process(self, apdu: bytes) -> bytes:
        self.apdus_seen += 1
        if len(apdu) < 4:
            return WRONG_LENGTH
        try:
            cla, ins, p1, p2, data, _le, extended = _parse(apdu)
        except (IndexError, ValueError):
            return WRONG_LENGTH
        if extended and not self.extended_length:
            return WRONG_LENGTH
        if cla & 0x0C == 0x0C:
            return self._secure(cla, ins, p1, p2, data)
        return self._plain(ins, p1, data)

    def _plain(self, ins: int, p1: int, data: bytes) -> bytes:
        if ins == 0xA4 and p1 == 0x04:
            self.reset()
            self._app_selected = data == AID
            return OK if self._app_selected else NOT_FOUND
        if not self._app_selected:
            return DENIED
        if ins == 0x84:
            self._challenge = os.urandom(8)
            return self._challenge + OK
        if ins == 0x82:
            return self._external_authenticate(data)
        return DENIED  # files are readable only under secure messaging

    def _external_authenticate(self, data: bytes) -> bytes:
        k_enc, k_mac = self._bac_keys()
        challenge, self._challenge = self._challenge, None
        if challenge is None or len(data) != 40 or not hmac.compare_digest(_retail_mac(k_mac, data[:32]), data[32:]):
            return WRONG_KEY
        plain = _tdes(k_enc).decrypt(data[:32])
        if plain[8:16] != challenge:
            return WRONG_KEY
        rnd_ifd, k_ifd, k_ic = plain[:8], plain[16:32], os.urandom(16)
        answer = _tdes(k_enc).encrypt(challenge + rnd_ifd + k_ic)
        seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
        self._keys = (_derive(seed, 1), _derive(seed, 2))
        self._ssc = int.from_bytes(challenge[4:] + rnd_ifd[4:], "big")
        return answer + _retail_mac(k_mac, answer) + OK

    def _secure(self, cla: int, ins: int, p1: int, p2: int, data: bytes) -> bytes:
        if self._keys is None:
            return DENIED
        k_enc, k_mac = self._keys
        objects = _objects(data)
        self._ssc += 1
        signed = _pad(bytes((cla, ins, p1, p2))) + b"".join(
            _tlv(t, objects[t]) for t in (0x85, 0x87, 0x97) if t in objects
        )
        mac_ok = 0x8E in objects and hmac.compare_digest(
            _retail_mac(k_mac, self._ssc.to_bytes(8, "big") + signed), objects[0x8E]
        )
        if not mac_ok or self.faults.reject_next_sm_mac:
            self.faults.reject_next_sm_mac = False
            self._keys = None  # ICAO: an SM error ends the session
            return SM_INCORRECT
        body = b""
        if 0x87 in objects:
            body = _unpad(_tdes(k_enc).decrypt(objects[0x87][1:]))
        elif 0x85 in objects:  # odd INS: no padding-content indicator
            body = _unpad(_tdes(k_enc).decrypt(objects[0x85]))
        le = int.from_bytes(objects.get(0x97, b"\x00"), "big") or (65536 if len(objects.get(0x97, b"")) == 2 else 256)
        result, sw = self._command(ins, p1, p2, body, le)
        reply = b""
        if result and ins & 1:
            reply = _tlv(0x85, _tdes(k_enc).encrypt(_pad(result)))
        elif result:
            reply = _tlv(0x87, b"\x01" + _tdes(k_enc).encrypt(_pad(result)))
        reply += _tlv(0x99, sw)
        self._ssc += 1
        checksum = _retail_mac(k_mac, self._ssc.to_bytes(8, "big") + reply)
        if self.faults.corrupt_response_mac:
            checksum = bytes(b ^ 0xFF for b in checksum)
        return reply + _tlv(0x8E, checksum) + OK

    def _command(self, ins: int, p1: int, p2: int, body: bytes, le: int) -> tuple[bytes, bytes]:
        if ins == 0xA4 and p1 == 0x02:
            fid = int.from_bytes(body, "big")
            if fid not in self.files.files:
                return b"", NOT_FOUND
            self._current = fid
            return b"", OK
        if ins == 0xB1:
            return self._read_binary_odd(body, le)
        if ins != 0xB0:
            return b"", NO_INS
        if self.faults.deny_reads:
            return b"", DENIED
        offset = (p1 << 8) | p2
        if p1 & 0x80:
            if self.faults.no_sfi:
                return b"", BAD_P1P2
            fid = SFI_TO_FID.get(p1 & 0x1F)
            if fid is None or fid not in self.files.files:
                return b"", NOT_FOUND
            self._current, offset = fid, p2
        if self._current is None:
            return b"", NOT_FOUND
        content = self.files.files[self._current]
        if offset > len(content):
            return b"", BAD_OFFSET
        chunk = content[offset : offset + le]
        return chunk, OK if len(chunk) == le else EOF_REACHED

    def _read_binary_odd(self, body: bytes, le: int) -> tuple[bytes, bytes]:
        offset = _offset_from_do54(body)
        if offset is None:
            return b"", BAD_P1P2
        if self.faults.deny_reads:
            return b"", DENIED
        if self._current is None:
            return b"", NOT_FOUND
        content = self.files.files[self._current]
        if offset > len(content):
            return b"", BAD_OFFSET
        chunk = content[offset : offset + max(le - 4, 1)]  # the DO53 header takes up to 4 bytes of Le
        return _tlv(0x53, chunk), OK


def _offset_from_do54(body: bytes) -> int | None:
    if len(body) < 3 or body[0] != 0x54 or body[1] != len(body) - 2:
        return None
    return int.from_bytes(body[2:], "big")


def _parse(apdu: bytes) -> tuple[int, int, int, int, bytes, int | None, bool]:
    cla, ins, p1, p2, rest = apdu[0], apdu[1], apdu[2], apdu[3], apdu[4:]
    if not rest:
        return cla, ins, p1, p2, b"", None, False
    if len(rest) == 1:
        return cla, ins, p1, p2, b"", rest[0] or 256, False
    if rest[0] != 0:
        lc = rest[0]
        data = rest[1 : 1 + lc]
        if len(data) != lc or len(rest) > lc + 2:
            raise ValueError("bad short APDU")
        le = (rest[1 + lc] or 256) if len(rest) == lc + 2 else None
        return cla, ins, p1, p2, data, le, False
    if len(rest) == 3:
        return cla, ins, p1, p2, b"", int.from_bytes(rest[1:], "big") or 65536, True
    lc = int.from_bytes(rest[1:3], "big")
    data = rest[3 : 3 + lc]
    if len(data) != lc:
        raise ValueError("bad extended APDU")
    tail = rest[3 + lc :]
    return cla, ins, p1, p2, data, (int.from_bytes(tail, "big") or 65536) if tail else None, True
