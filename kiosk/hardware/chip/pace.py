"""PACE (ICAO 9303-11 §4.4) with the generic mapping over ECDH or DH and the MRZ as password: MSE:Set AT, four
GENERAL AUTHENTICATE steps, then secure messaging (AES or 3DES, as the protocol's OID says) with the counter at zero.

Checked byte for byte against the worked examples of ICAO 9303-11 (tests/hardware/chip/test_pace_worked_example.py).
A card that refuses or breaks off PACE raises `PaceRefusedError`, a reason BAC may not share; a card that says our
authentication token is wrong raises `ChipError(WRONG_KEY)`, which BAC would share (same password).
"""

from __future__ import annotations

import hashlib
import hmac
import os

from asn1crypto import core

from kiosk.hardware.chip import crypto
from kiosk.hardware.chip.apdu import ApduTransport, Command, StatusWord, encode_length, iter_tlv, split_status, tlv
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.key_agreement import KeyAgreementError, KeyAgreementGroup, RandomBytes, random_private_key
from kiosk.hardware.chip.secure_messaging import SecureChannel
from kiosk.hardware.chip.security_infos import PaceInfo
from kiosk.hardware.chip.sm_cipher import AES, CipherSuite, derive_key
from kiosk.hardware.chip.standard_groups import STANDARD_GROUPS

MRZ_PASSWORD = 0x01  # password reference in MSE:Set AT (CAN would be 0x02)
_DYNAMIC_AUTHENTICATION_DATA = 0x7C


class PaceRefusedError(Exception):
    """The card refused or broke off PACE (or answered something PACE cannot use): BAC may still open it."""


def group_for(info: PaceInfo) -> KeyAgreementGroup | None:
    """The standardized domain parameters a PACEInfo names, when the kiosk knows them."""
    return STANDARD_GROUPS.get(info.parameter_id) if info.parameter_id is not None else None


def _set_authentication_template(transport: ApduTransport, info: PaceInfo, ambiguous: bool) -> None:
    data = tlv(0x80, core.ObjectIdentifier(info.protocol).contents) + tlv(0x83, bytes((MRZ_PASSWORD,)))
    if ambiguous and info.parameter_id is not None:
        data += tlv(0x84, bytes((info.parameter_id,)))  # which domain parameters, when the card offers several
    _, sw = split_status(transport.transmit(Command(0x00, 0x22, 0xC1, 0xA4, data).encode()))
    if sw != StatusWord.OK:
        raise PaceRefusedError(f"MSE:Set AT: SW {sw:04X}")


def _general_authenticate(transport: ApduTransport, tag: int, data: bytes | None, wanted: int, last: bool) -> bytes:
    """One GENERAL AUTHENTICATE step (chained with CLA 10 until the last); the value of the answer's `wanted` tag."""
    body = tlv(_DYNAMIC_AUTHENTICATION_DATA, tlv(tag, data) if data is not None else b"")
    command = Command(0x00 if last else 0x10, 0x86, 0x00, 0x00, body, le=256)
    extended = len(body) > 255  # DH-2048 keys do not fit a short command
    answer, sw = split_status(transport.transmit(command.encode(extended)))
    if last and (sw & 0xFF00 == StatusWord.AUTHENTICATION_FAILED or sw == StatusWord.SECURITY_NOT_SATISFIED):
        raise ChipError(ChipErrorCode.WRONG_KEY, "PACE token refused")
    if sw != StatusWord.OK:
        raise PaceRefusedError(f"GENERAL AUTHENTICATE {tag:02X}: SW {sw:04X}")
    try:
        outer = iter_tlv(answer)
        inner = iter_tlv(outer[0][2]) if outer and outer[0][0] == _DYNAMIC_AUTHENTICATION_DATA else []
    except ValueError as exc:
        raise PaceRefusedError("malformed GENERAL AUTHENTICATE answer") from exc
    found = next((value for first, _whole, value in inner if first == wanted), None)
    if found is None:
        raise PaceRefusedError(f"GENERAL AUTHENTICATE answer without tag {wanted:02X}")
    return found


def _decrypt_nonce(suite: CipherSuite, k_pi: bytes, encrypted: bytes) -> int:
    if suite is CipherSuite.TDES_CBC_CBC:
        if len(encrypted) != 8:
            raise PaceRefusedError("nonce length")
        return int.from_bytes(crypto.decrypt(k_pi, encrypted), "big")
    if len(encrypted) != 16:
        raise PaceRefusedError("nonce length")
    return int.from_bytes(AES.plain_cbc(k_pi, encrypted, decrypt=True), "big")


def authentication_token(suite: CipherSuite, ks_mac: bytes, protocol: str, key_object: bytes) -> bytes:
    """MAC over the other side's public key data object (tag 7F49: the protocol OID and the key); §4.4.3.4."""
    body = core.ObjectIdentifier(protocol).dump() + key_object
    data = b"\x7f\x49" + encode_length(len(body)) + body
    if suite is CipherSuite.TDES_CBC_CBC:
        return crypto.mac(ks_mac, data)
    return AES.cmac(ks_mac, data)[:8]


def open_pace_channel(
    transport: ApduTransport,
    info: PaceInfo,
    mrz_information: str,
    ambiguous: bool = False,
    random_bytes: RandomBytes = os.urandom,
) -> SecureChannel:
    """Run PACE with the MRZ password; PaceRefusedError or ChipError(WRONG_KEY) when it does not open the card."""
    group = group_for(info)
    if group is None:
        raise PaceRefusedError("domain parameters the kiosk does not know")
    suite = info.suite
    password = hashlib.sha1(mrz_information.encode("ascii")).digest()  # noqa: S324 - mandated by ICAO 9303
    k_pi = derive_key(password, crypto.KeyPurpose.PACE, suite)
    _set_authentication_template(transport, info, ambiguous)
    nonce = _decrypt_nonce(suite, k_pi, _general_authenticate(transport, 0x80, None, 0x80, last=False))
    try:
        map_private = random_private_key(group, random_bytes)
        chip_mapping = _general_authenticate(transport, 0x81, group.public_key(map_private), 0x82, last=False)
        mapped = group.mapped(nonce, map_private, chip_mapping)
        own_private = random_private_key(mapped, random_bytes)
        own_public = mapped.public_key(own_private)
        chip_public = _general_authenticate(transport, 0x83, own_public, 0x84, last=False)
        if chip_public == own_public:
            raise PaceRefusedError("the card echoed the kiosk's key")
        shared = mapped.shared_secret(own_private, chip_public)
    except KeyAgreementError as exc:
        raise PaceRefusedError(str(exc)) from exc
    ks_enc = derive_key(shared, crypto.KeyPurpose.ENC, suite)
    ks_mac = derive_key(shared, crypto.KeyPurpose.MAC, suite)
    token = authentication_token(suite, ks_mac, info.protocol, mapped.public_key_object(chip_public))
    chip_token = _general_authenticate(transport, 0x85, token, 0x86, last=True)
    expected = authentication_token(suite, ks_mac, info.protocol, mapped.public_key_object(own_public))
    if not hmac.compare_digest(chip_token, expected):
        raise PaceRefusedError("the card's authentication token")
    return SecureChannel(ks_enc, ks_mac, 0, suite.cipher)
