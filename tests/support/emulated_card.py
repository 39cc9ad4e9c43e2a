"""A software CCCD chip: EF.CardAccess at the master file, PACE and BAC, secure messaging (3DES or AES), READ BINARY,
chip and active authentication, each switchable, with faults. Its crypto (`emulated_card_crypto`, pycryptodome and
plain integers) is written from ICAO 9303-11 independently of the kiosk's `cryptography`/`ecdsa` code, so that a
mistake shared by both sides would still have to match the standard's worked examples.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from dataclasses import dataclass, field

from asn1crypto import core

from tests.support.emulated_card_apdu import ATR_EXTENDED, ATR_SHORT, offset_from_do54, parse_apdu
from tests.support.emulated_card_auth import CardChipAuthentication, active_authentication_signature
from tests.support.emulated_card_crypto import SmKeys, kdf, retail_mac, tdes
from tests.support.emulated_card_data import CardFiles
from tests.support.emulated_card_keys import CARD_ACCESS_FID
from tests.support.emulated_card_pace import CardPace, mrz_password, objects, tlv

AID = bytes.fromhex("A0000002471001")
SFI_TO_FID = {0x1E: 0x011E, 0x1D: 0x011D, 0x01: 0x0101, 0x02: 0x0102, 0x0D: 0x010D, 0x0E: 0x010E, 0x0F: 0x010F}
OK, EOF_REACHED = b"\x90\x00", b"\x62\x82"
WRONG_KEY, WRONG_LENGTH, DENIED = b"\x63\x00", b"\x67\x00", b"\x69\x82"
SM_INCORRECT, NOT_FOUND, BAD_P1P2, BAD_OFFSET, NO_INS = b"\x69\x88", b"\x6a\x82", b"\x6a\x86", b"\x6b\x00", b"\x6d\x00"


@dataclass
class CardFaults:
    """Switchable misbehaviour. `pull_after_apdus` and `stall_after_apdus` are acted on by the vpcd link."""

    reject_next_sm_mac: bool = False  # answer 6988 as if the reader's MAC were wrong
    corrupt_response_mac: bool = False  # send a wrong MAC back
    deny_reads: bool = False  # 6982 to every READ BINARY
    no_sfi: bool = False  # READ BINARY with a short file identifier is not supported
    pull_after_apdus: int | None = None
    stall_after_apdus: int | None = None  # stop answering (until pulled), like a card half out of the field
    refuse_pace_at_step: int | None = None  # this GENERAL AUTHENTICATE step (1–4) answered 6985
    corrupt_mac_after_chip_auth: bool = False  # answers under the chip authentication keys carry a wrong MAC
    corrupt_active_auth: bool = False  # INTERNAL AUTHENTICATE's signature has a bit flipped


@dataclass
class EmulatedCccd:
    """The card's state machine. `process` takes a command APDU and returns the response APDU."""

    files: CardFiles
    extended_length: bool = True
    faults: CardFaults = field(default_factory=CardFaults)
    speaks_bac: bool = True
    speaks_pace: bool = True  # False with PACE in EF.CardAccess: a card that advertises PACE and answers BAC only
    clone: bool = False  # the genuine card's files, not its private keys
    apdus_seen: int = 0
    pace_runs: int = 0  # MSE:Set AT for PACE received (one per PACE attempt)
    bac_runs: int = 0  # EXTERNAL AUTHENTICATE received
    crypto_seconds: float = 0.0  # CPU time in PACE / CA / AA math: a proxy for what a real chip spends on them
    _app_selected: bool = False
    _challenge: bytes | None = None
    _keys: SmKeys | None = None
    _ssc: int = 0
    _current: int | None = None
    _pace: CardPace | None = None
    _chip_auth: CardChipAuthentication | None = None
    _after_chip_auth: bool = False

    @property
    def atr(self) -> bytes:
        return ATR_EXTENDED if self.extended_length else ATR_SHORT

    def reset(self) -> None:
        self._app_selected, self._challenge, self._keys, self._current = False, None, None, None
        self._pace, self._chip_auth, self._after_chip_auth = None, None, False

    def _mrz_information(self) -> str:
        card = self.files.card
        from kiosk.domain.mrz import bac_key_seed  # the MRZ information string is the domain's, tested there

        return bac_key_seed(card.document_number, card.date_of_birth, card.expiry)

    def process(self, apdu: bytes) -> bytes:
        self.apdus_seen += 1
        if len(apdu) < 4:
            return WRONG_LENGTH
        try:
            cla, ins, p1, p2, data, _le, extended = parse_apdu(apdu)
        except (IndexError, ValueError):
            return WRONG_LENGTH
        if extended and not self.extended_length:
            return WRONG_LENGTH
        if cla & 0x0C == 0x0C:
            return self._secure(cla, ins, p1, p2, data)
        started = time.thread_time()
        try:
            return self._plain(ins, p1, p2, data)
        finally:
            if ins in (0x86, 0x22):
                self.crypto_seconds += time.thread_time() - started

    def _plain(self, ins: int, p1: int, p2: int, data: bytes) -> bytes:
        if ins == 0xA4 and p1 == 0x04:
            self.reset()
            self._app_selected = data == AID
            return OK if self._app_selected else NOT_FOUND
        if ins == 0xB0 and p1 == 0x80 | 0x1C and not self._app_selected:
            content = self.files.files.get(CARD_ACCESS_FID)
            return content[p2 : p2 + 256] + OK if content is not None else NOT_FOUND
        if ins == 0x22 and (p1, p2) == (0xC1, 0xA4):
            return self._start_pace(data)
        if ins == 0x86 and self._pace is not None:
            return self._pace_step(data)
        if not self._app_selected:
            return DENIED
        if ins in (0x84, 0x82) and not self.speaks_bac:
            return NO_INS
        if ins == 0x84:
            self._challenge = os.urandom(8)
            return self._challenge + OK
        if ins == 0x82:
            return self._external_authenticate(data)
        return DENIED  # files are readable only under secure messaging

    def _start_pace(self, data: bytes) -> bytes:
        secrets = self.files.secrets
        offers = {offer.protocol: offer for offer in secrets.security.pace} if secrets is not None else {}
        oid = objects(data).get(0x80, b"")
        offer = offers.get(core.ObjectIdentifier.load(tlv(0x06, oid)).dotted) if oid else None
        if not self.speaks_pace or offer is None:
            return NO_INS
        self.pace_runs += 1
        self._keys = None
        password = mrz_password(self._mrz_information())
        self._pace = CardPace(offer.protocol, offer.parameter_id, password, self.faults.refuse_pace_at_step)
        return OK

    def _pace_step(self, data: bytes) -> bytes:
        assert self._pace is not None
        answer, sw = self._pace.general_authenticate(data)
        if sw != OK:
            self._pace = None
        elif self._pace.keys is not None:
            self._keys, self._ssc, self._pace = self._pace.keys, 0, None
        return answer + sw

    def _external_authenticate(self, data: bytes) -> bytes:
        self.bac_runs += 1
        seed = hashlib.sha1(self._mrz_information().encode()).digest()[:16]
        k_enc, k_mac = kdf(seed, 1, 1), kdf(seed, 2, 1)
        challenge, self._challenge = self._challenge, None
        if challenge is None or len(data) != 40 or not hmac.compare_digest(retail_mac(k_mac, data[:32]), data[32:]):
            return WRONG_KEY
        plain = tdes(k_enc).decrypt(data[:32])
        if plain[8:16] != challenge:
            return WRONG_KEY
        rnd_ifd, k_ifd, k_ic = plain[:8], plain[16:32], os.urandom(16)
        answer = tdes(k_enc).encrypt(challenge + rnd_ifd + k_ic)
        seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
        self._keys = SmKeys(kdf(seed, 1, 1), kdf(seed, 2, 1), aes=False)
        self._ssc = int.from_bytes(challenge[4:] + rnd_ifd[4:], "big")
        return answer + retail_mac(k_mac, answer) + OK

    def _secure(self, cla: int, ins: int, p1: int, p2: int, data: bytes) -> bytes:
        keys = self._keys
        if keys is None:
            return DENIED
        found = objects(data)
        self._ssc += 1
        signed = _pad_header(bytes((cla, ins, p1, p2)), keys.block) + b"".join(
            tlv(t, found[t]) for t in (0x85, 0x87, 0x97) if t in found
        )
        mac_ok = 0x8E in found and hmac.compare_digest(keys.sign(self._ssc, signed), found[0x8E])
        if not mac_ok or self.faults.reject_next_sm_mac:
            self.faults.reject_next_sm_mac = False
            self._keys = None  # ICAO: an SM error ends the session
            return SM_INCORRECT
        body = b""
        if 0x87 in found:
            body = keys.decrypt(self._ssc, found[0x87][1:])
        elif 0x85 in found:  # odd INS: no padding-content indicator
            body = keys.decrypt(self._ssc, found[0x85])
        le = int.from_bytes(found.get(0x97, b"\x00"), "big") or (65536 if len(found.get(0x97, b"")) == 2 else 256)
        started = time.thread_time()
        result, sw, new_keys = self._command(ins, p1, p2, body, le)
        if ins in (0x22, 0x86, 0x88):
            self.crypto_seconds += time.thread_time() - started
        reply = self._wrap(keys, result, sw, ins)
        if new_keys is not None:  # chip authentication: this answer under the old keys, the next under the new
            self._keys, self._ssc, self._after_chip_auth = new_keys, 0, True
        return reply

    def _wrap(self, keys: SmKeys, result: bytes, sw: bytes, ins: int) -> bytes:
        reply = b""
        if result and ins & 1:
            reply = tlv(0x85, keys.encrypt(self._ssc + 1, result))
        elif result:
            reply = tlv(0x87, b"\x01" + keys.encrypt(self._ssc + 1, result))
        reply += tlv(0x99, sw)
        self._ssc += 1
        checksum = keys.sign(self._ssc, reply)
        if self.faults.corrupt_response_mac or (self._after_chip_auth and self.faults.corrupt_mac_after_chip_auth):
            checksum = bytes(b ^ 0xFF for b in checksum)
        return reply + tlv(0x8E, checksum) + OK

    def _command(self, ins: int, p1: int, p2: int, body: bytes, le: int) -> tuple[bytes, bytes, SmKeys | None]:
        if ins == 0xA4 and p1 == 0x04:
            self._app_selected = body == AID
            return b"", OK if self._app_selected else NOT_FOUND, None
        if ins in (0x22, 0x86):
            return self._chip_authentication(ins, p1, p2, body)
        if ins == 0x88:
            return self._active_authentication(body)
        if not self._app_selected:
            return b"", DENIED, None
        if ins == 0xA4 and p1 == 0x02:
            fid = int.from_bytes(body, "big")
            if fid not in self.files.files:
                return b"", NOT_FOUND, None
            self._current = fid
            return b"", OK, None
        if ins == 0xB1:
            return (*self._read_binary_odd(body, le), None)
        if ins != 0xB0:
            return b"", NO_INS, None
        return (*self._read_binary(p1, p2, le), None)

    def _chip_authentication(self, ins: int, p1: int, p2: int, body: bytes) -> tuple[bytes, bytes, SmKeys | None]:
        secrets = self.files.secrets
        if secrets is None or secrets.security.chip_auth is None:
            return b"", NO_INS, None
        if self._chip_auth is None:
            self._chip_auth = CardChipAuthentication(secrets, self.clone)
        if ins == 0x22 and (p1, p2) == (0x41, 0xA6):
            keys, sw = self._chip_auth.set_key_agreement_template(body)
            return b"", sw, keys
        if ins == 0x22 and (p1, p2) == (0x41, 0xA4):
            return b"", self._chip_auth.set_authentication_template(body), None
        keys, sw = self._chip_auth.general_authenticate(body)
        return (tlv(0x7C, b"") if keys is not None else b""), sw, keys

    def _active_authentication(self, challenge: bytes) -> tuple[bytes, bytes, None]:
        secrets = self.files.secrets
        if secrets is None or secrets.active_auth_key is None:
            return b"", NO_INS, None
        signature = bytearray(active_authentication_signature(secrets, challenge, self.clone))
        if self.faults.corrupt_active_auth:
            signature[len(signature) // 2] ^= 0x01
        return bytes(signature), OK, None

    def _read_binary(self, p1: int, p2: int, le: int) -> tuple[bytes, bytes]:
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
        offset = offset_from_do54(body)
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
        return tlv(0x53, chunk), OK


def _pad_header(header: bytes, block: int) -> bytes:
    return header + b"\x80" + bytes(block - len(header) - 1)
