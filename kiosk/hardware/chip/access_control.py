"""Opening the chip (ICAO 9303-11 §4.2, the chip access procedure): EF.CardAccess is read before any access control;
when it offers PACE with domain parameters the kiosk knows, PACE runs with the MRZ password and the eMRTD
application is selected under secure messaging; otherwise the application is selected and BAC runs.

Keys are tried in order (at most 3: the expiries the QR leaves possible). A key the card refuses under PACE is not
tried again with BAC: the password is the same, it would be refused there too. A card that refuses PACE itself
(MSE:Set AT or a GENERAL AUTHENTICATE step answered with an error, an answer PACE cannot use) gets BAC with the same
key: a card may advertise PACE and still speak BAC only. Neither MRZ-based protocol has a retry counter on the chip,
so a wrong expiry never locks the card.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.domain.card_read import AccessControl, ChipAccessKey
from kiosk.hardware.chip.apdu import ApduTransport, Command, StatusWord, split_status
from kiosk.hardware.chip.bac import open_bac_channel
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.lds import total_length
from kiosk.hardware.chip.pace import PaceRefusedError, group_for, open_pace_channel
from kiosk.hardware.chip.secure_messaging import ProtectedChannel
from kiosk.hardware.chip.security_infos import Agreement, PaceInfo, parse_security_infos
from kiosk.hardware.chip.session import SecureSession, select_application, select_application_protected
from kiosk.hardware.chip.sm_cipher import CipherSuite

log = logging.getLogger(__name__)

EF_CARD_ACCESS_SFI = 0x1C
_MAX_CARD_ACCESS = 4096  # a few SecurityInfos; anything bigger is not an EF.CardAccess worth reading
SessionFactory = Callable[[ProtectedChannel], SecureSession]


@dataclass(frozen=True, slots=True)
class OpenedCard:
    session: SecureSession
    access_control: AccessControl
    key: ChipAccessKey  # the key that opened it (to open it again after a reset)
    tries: int


def read_card_access(transport: ApduTransport) -> bytes | None:
    """EF.CardAccess from the master file, plain; None when the card has none (or will not say)."""
    command = Command(0x00, 0xB0, 0x80 | EF_CARD_ACCESS_SFI, 0x00, le=256)
    content, sw = split_status(transport.transmit(command.encode()))
    if sw not in (StatusWord.OK, StatusWord.END_OF_FILE) or len(content) < 2:
        return None
    try:
        size = total_length(content)
    except ChipError:
        return None
    while len(content) < min(size, _MAX_CARD_ACCESS):
        offset = len(content)
        more, sw = split_status(transport.transmit(Command(0x00, 0xB0, offset >> 8, offset & 0xFF, le=256).encode()))
        if sw not in (StatusWord.OK, StatusWord.END_OF_FILE) or not more:
            return None
        content += more
    return content[:size]


def pace_offered(card_access: bytes | None) -> tuple[PaceInfo | None, bool]:
    """The PACE protocol to run (ECDH before DH, AES before 3DES) and whether the card offers several."""
    if card_access is None:
        return None, False
    try:
        offered = parse_security_infos(card_access).pace
    except ChipError:
        log.info("EF.CardAccess unreadable: BAC")
        return None, False
    usable = sorted(
        (info for info in offered if group_for(info) is not None),
        key=lambda info: (info.agreement is not Agreement.ECDH, info.suite is CipherSuite.TDES_CBC_CBC),
    )
    return (usable[0] if usable else None), len(offered) > 1


def open_card(transport: ApduTransport, keys: tuple[ChipAccessKey, ...], make_session: SessionFactory) -> OpenedCard:
    """PACE or BAC with the first key the card accepts; ChipError(WRONG_KEY) when none does."""
    if not keys:
        raise ChipError(ChipErrorCode.WRONG_KEY, "no access key")
    pace, ambiguous = pace_offered(read_card_access(transport))
    selected = False
    for tries, key in enumerate(keys, start=1):
        last = tries == len(keys)
        if pace is not None:
            try:
                channel = open_pace_channel(transport, pace, key.mrz_information(), ambiguous)
            except PaceRefusedError as exc:
                log.info("PACE refused, trying BAC: %s", exc)  # status words and reasons only
                pace = None
            except ChipError as exc:
                if exc.code is ChipErrorCode.WRONG_KEY and not last:
                    continue
                raise
            else:
                session = make_session(channel)
                select_application_protected(session)
                return OpenedCard(session, AccessControl.PACE, key, tries)
        if not selected:
            select_application(transport)
            selected = True
        try:
            channel = open_bac_channel(transport, key.mrz_information())
        except ChipError as exc:
            if exc.code is ChipErrorCode.WRONG_KEY and not last:
                continue
            raise
        return OpenedCard(make_session(channel), AccessControl.BAC, key, tries)
    raise AssertionError("unreachable: the loop returns or raises")
