"""One chip read, start to finish, over any APDU transport: open the chip (PACE or BAC, `access_control`), read
EF.SOD, prove the chip genuine when its security object lists DG14 (chip authentication, before the personal data
so they travel under the new keys) or DG15 (active authentication), read DG1, DG13 (and DG2 when asked), and check
every data group against EF.SOD. Blocking: the adapter runs it on the reader's thread.

Which data groups exist is taken from EF.SOD, which is signed, not from EF.COM, which is not: a clone cannot dodge
chip authentication by leaving DG14 out of its list.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from cryptography import x509

from kiosk.domain.card_read import (
    NOT_OFFERED,
    CardRead,
    ChipAccessKey,
    ChipAuthProtocol,
    ChipAuthResult,
    ChipAuthStatus,
    PassiveAuthResult,
    ReadStats,
)
from kiosk.hardware.chip.access_control import OpenedCard, open_card
from kiosk.hardware.chip.apdu import ApduTransport
from kiosk.hardware.chip.card_fields import DataGroups, card_read_from
from kiosk.hardware.chip.chip_auth import ChipAuthFailedError, active_authenticate, chip_authenticate
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.lds import DG_FILES, EF_SOD, DataGroup, unwrap_file
from kiosk.hardware.chip.passive_auth import SecurityObject, parse_security_object
from kiosk.hardware.chip.secure_messaging import ProtectedChannel
from kiosk.hardware.chip.security_infos import SecurityInfoSet, parse_dg14
from kiosk.hardware.chip.session import SecureSession, WireCounter

log = logging.getLogger(__name__)
# What a chip that cannot follow the new keys answers right after chip authentication.
_KEYS_NOT_FOLLOWED = {ChipErrorCode.SECURE_MESSAGING, ChipErrorCode.ACCESS_DENIED, ChipErrorCode.CARD_ERROR}


@dataclass(frozen=True)
class ReadOptions:
    """How to read: DG2 only when the hospital wants the photo; extended length when card and reader offer it."""

    read_face: bool = False
    extended_length: bool = False
    trust_anchors: list[x509.Certificate] = field(default_factory=list)
    deadline_s: float = 10.0
    read_chunk: int | None = None  # plain bytes per READ BINARY; None: the most the link and the cipher allow
    response_budget: int | None = None  # bytes one answer may carry (the reader's limit), when known


@dataclass
class _Read:
    """One read in progress: the link, how sessions are made on it, and what was opened."""

    wire: WireCounter
    options: ReadOptions
    opened: OpenedCard | None = None

    def session(self, channel: ProtectedChannel) -> SecureSession:
        options = self.options
        return SecureSession(self.wire, channel, options.extended_length, options.response_budget, options.read_chunk)

    def open(self, keys: tuple[ChipAccessKey, ...]) -> OpenedCard:
        self.opened = open_card(self.wire, keys, self.session)
        return self.opened


def read_card(transport: ApduTransport, keys: tuple[ChipAccessKey, ...], options: ReadOptions) -> CardRead:
    """The whole read; raises ChipError (NOT_VERIFIABLE when a data group does not match EF.SOD)."""
    started = time.monotonic()
    read = _Read(WireCounter(transport, started + options.deadline_s), options)
    opened = read.open(keys)
    sod = parse_security_object(_required(opened.session.read_file(EF_SOD), "EF.SOD"), options.trust_anchors)
    groups, chip_auth = _read_proving_chip(read, sod)
    wire = read.wire
    elapsed = (time.monotonic() - started) * 1000
    stats = ReadStats(wire.apdus, wire.sent, wire.received, elapsed, opened.tries, opened.access_control)
    return card_read_from(groups, PassiveAuthResult(hashes_ok=True, signature=sod.signature), stats, chip_auth)


def _read_proving_chip(read: _Read, sod: SecurityObject) -> tuple[DataGroups, ChipAuthResult]:
    assert read.opened is not None
    session = read.opened.session
    infos = _security_infos(session, sod)
    if infos is None and DataGroup.DG14 in sod.hashes:
        log.warning("chip authentication failed: DG14 listed but missing")
        return _data_groups(session, sod, read.options), ChipAuthResult(ChipAuthStatus.FAILED)
    if infos is not None and infos.chip_auth_keys:
        return _with_chip_authentication(read, sod, infos)
    groups = _data_groups(session, sod, read.options)
    if DataGroup.DG15 not in sod.hashes:
        return groups, NOT_OFFERED
    dg15 = session.read_file(DG_FILES[DataGroup.DG15])
    genuine = False
    if dg15 is not None:
        sod.check(DataGroup.DG15, dg15)
        genuine = active_authenticate(session, dg15, infos.active_auth_signature if infos else None)
    if not genuine:
        log.warning("active authentication failed")
    status = ChipAuthStatus.GENUINE if genuine else ChipAuthStatus.FAILED
    return groups, ChipAuthResult(status, ChipAuthProtocol.ACTIVE_AUTHENTICATION)


def _with_chip_authentication(
    read: _Read, sod: SecurityObject, infos: SecurityInfoSet
) -> tuple[DataGroups, ChipAuthResult]:
    assert read.opened is not None
    session = read.opened.session
    try:
        chip_authenticate(session, infos)
        dg1 = _first_answer_under_new_keys(session)
    except ChipAuthFailedError as exc:
        log.warning("chip authentication failed: %s", exc)  # status words only
        # The session died with the keys the card could not follow: reset, open again, read without the proof.
        read.wire.reset()
        reopened = read.open((read.opened.key,))
        groups = _data_groups(reopened.session, sod, read.options)
        return groups, ChipAuthResult(ChipAuthStatus.FAILED, ChipAuthProtocol.CHIP_AUTHENTICATION)
    groups = _data_groups(session, sod, read.options, dg1)
    return groups, ChipAuthResult(ChipAuthStatus.GENUINE, ChipAuthProtocol.CHIP_AUTHENTICATION)


def _first_answer_under_new_keys(session: SecureSession) -> bytes:
    try:
        return _required(session.read_file(DG_FILES[DataGroup.DG1]), "DG1")
    except ChipError as exc:
        if exc.code in _KEYS_NOT_FOLLOWED:
            raise ChipAuthFailedError(exc.code.value) from exc
        raise


def _security_infos(session: SecureSession, sod: SecurityObject) -> SecurityInfoSet | None:
    """DG14's SecurityInfos, checked against EF.SOD; None when EF.SOD does not list DG14 or the card lacks it."""
    if DataGroup.DG14 not in sod.hashes:
        return None
    content = session.read_file(DG_FILES[DataGroup.DG14])
    if content is None:
        return None
    sod.check(DataGroup.DG14, content)
    return parse_dg14(content)


def _data_groups(
    session: SecureSession, sod: SecurityObject, options: ReadOptions, dg1: bytes | None = None
) -> DataGroups:
    dg1 = dg1 if dg1 is not None else _required(session.read_file(DG_FILES[DataGroup.DG1]), "DG1")
    dg13 = session.read_file(DG_FILES[DataGroup.DG13]) if DataGroup.DG13 in sod.hashes else None
    dg2 = None
    if options.read_face and DataGroup.DG2 in sod.hashes:
        dg2 = session.read_file(DG_FILES[DataGroup.DG2])
    for number, content in ((DataGroup.DG1, dg1), (DataGroup.DG13, dg13), (DataGroup.DG2, dg2)):
        if content is not None:
            sod.check(number, content)
    return DataGroups(dg1, dg13, dg2)


def _required(content: bytes | None, name: str) -> bytes:
    if content is None:
        raise ChipError(ChipErrorCode.BAD_DATA, f"{name} missing")
    unwrap_file(content, content[0])  # a whole TLV, or BAD_DATA
    return content
