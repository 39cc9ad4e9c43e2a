"""Basic Access Control (ICAO 9303-11 §4.3): mutual authentication that opens a secure messaging channel.

PACE would be a second way to open the same `SecureChannel` from the same access key; the session only sees the
channel, so adding PACE means adding a sibling of `open_bac_channel`, not changing the reader.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable

from kiosk.hardware.chip import crypto
from kiosk.hardware.chip.apdu import ApduTransport, Command, StatusWord, split_status
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode, StatusWordError
from kiosk.hardware.chip.secure_messaging import SecureChannel

RandomBytes = Callable[[int], bytes]

GET_CHALLENGE = Command(0x00, 0x84, 0x00, 0x00, le=8)


def session_keys(seed: bytes) -> tuple[bytes, bytes]:
    """(K_enc, K_mac) from a key seed."""
    return crypto.derive_key(seed, crypto.KeyPurpose.ENC), crypto.derive_key(seed, crypto.KeyPurpose.MAC)


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def open_bac_channel(
    transport: ApduTransport, mrz_information: str, random_bytes: RandomBytes = os.urandom
) -> SecureChannel:
    """Run GET CHALLENGE + EXTERNAL AUTHENTICATE with the key from the MRZ information; raise ChipError(WRONG_KEY)
    when the card does not accept it."""
    k_enc, k_mac = session_keys(crypto.key_seed(mrz_information))
    challenge, sw = split_status(transport.transmit(GET_CHALLENGE.encode()))
    if sw != StatusWord.OK or len(challenge) != 8:
        raise StatusWordError(ChipErrorCode.CARD_ERROR, sw, "GET CHALLENGE")
    rnd_ifd, k_ifd = random_bytes(8), random_bytes(16)
    e_ifd = crypto.encrypt(k_enc, rnd_ifd + challenge + k_ifd)
    command = Command(0x00, 0x82, 0x00, 0x00, e_ifd + crypto.mac(k_mac, e_ifd), le=40)
    answer, sw = split_status(transport.transmit(command.encode()))
    if sw in (StatusWord.AUTHENTICATION_FAILED, StatusWord.SECURITY_NOT_SATISFIED, StatusWord.CONDITIONS_NOT_SATISFIED):
        raise ChipError(ChipErrorCode.WRONG_KEY)
    if sw != StatusWord.OK or len(answer) != 40:
        raise StatusWordError(ChipErrorCode.CARD_ERROR, sw, "EXTERNAL AUTHENTICATE")
    e_ic, m_ic = answer[:32], answer[32:]
    if not hmac.compare_digest(crypto.mac(k_mac, e_ic), m_ic):
        raise ChipError(ChipErrorCode.WRONG_KEY, "card cryptogram MAC")
    plain = crypto.decrypt(k_enc, e_ic)
    if plain[:8] != challenge or plain[8:16] != rnd_ifd:
        raise ChipError(ChipErrorCode.WRONG_KEY, "card cryptogram content")
    ks_enc, ks_mac = session_keys(_xor(k_ifd, plain[16:32]))
    return SecureChannel(ks_enc, ks_mac, int.from_bytes(challenge[4:] + rnd_ifd[4:], "big"))
