"""The first steps: choosing what to do, and telling who the patient is from a chip, a QR or a typed number."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from kiosk.domain.bhyt_qr import BhytQr
from kiosk.domain.card_read import CardRead
from kiosk.domain.cccd_qr import CccdQr
from kiosk.domain.dates import PartialDate
from kiosk.domain.payload import ClassifiedPayload, PayloadKind, classify
from kiosk.domain.people import Sex
from kiosk.flow import appointments
from kiosk.flow.appointments import booking_code
from kiosk.flow.desk import to_desk
from kiosk.flow.effects import FindPatient
from kiosk.flow.events import (
    CardNeedsKey,
    CardPresented,
    CardUnreadable,
    Event,
    KeypadDigit,
    KeypadErase,
    KeypadSubmit,
    QrScanned,
    StartBenefitLookup,
    StartCheckIn,
)
from kiosk.flow.records import IdentifierKind, IdentitySource, PresentedIdentity
from kiosk.flow.state import Mode, Session, Step
from kiosk.flow.transition import Context, FlowConfig, Transition

MAX_TYPED = 15  # the longest identifier a patient types: the old 15-character BHYT code
# Chip messages that end at the desk, with the reason code printed on the slip.
DESK_FOR_CHIP = {"chip.card_cannot_be_verified_go_to_desk": "chip_not_verifiable"}
_TYPED_KINDS = {
    PayloadKind.CCCD_NUMBER: IdentifierKind.CCCD,
    PayloadKind.BHXH_NUMBER: IdentifierKind.BHXH_NUMBER,
    PayloadKind.BHYT_CODE: IdentifierKind.BHYT_CODE,
}


def handle(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, StartCheckIn | StartBenefitLookup):
        mode = Mode.CHECK_IN if isinstance(event, StartCheckIn) else Mode.BENEFIT_LOOKUP
        return Transition(replace(session.at(Step.IDENTIFY, ctx.now), mode=mode, typed=""))
    if isinstance(event, CardPresented):
        return begin_lookup(session, event.identity, ctx)
    if isinstance(event, CardUnreadable):
        if event.message_key in DESK_FOR_CHIP:
            return to_desk(session, DESK_FOR_CHIP[event.message_key], ctx, config)
        return Transition(_notice(session, event.message_key))
    if isinstance(event, CardNeedsKey):
        # The card's QR is needed: the identify screen is the one that scans (the camera runs only there).
        on_identify = replace(session.at(Step.IDENTIFY, ctx.now), typed="") if session.step == Step.HOME else session
        return Transition(_notice(on_identify, "identify.show_card_qr"))
    if isinstance(event, QrScanned):
        return _presented(session, event.text, read_presented(event.text, event.payload, typed=False), ctx)
    if session.step != Step.IDENTIFY:
        return Transition(session)
    if isinstance(event, KeypadDigit) and event.digit.isascii() and event.digit.isalnum():
        typed = (session.typed + event.digit.upper())[:MAX_TYPED]
        return Transition(_notice(session, None, typed=typed))
    if isinstance(event, KeypadErase):
        return Transition(_notice(session, None, typed=session.typed[:-1]))
    if isinstance(event, KeypadSubmit):
        typed = session.typed
        return _presented(session, typed, read_presented(typed, classify(typed), typed=True), ctx)
    return Transition(session)


def begin_lookup(session: Session, identity: PresentedIdentity, ctx: Context) -> Transition:
    found = replace(session.at(Step.FINDING_PATIENT, ctx.now), identity=identity, typed="")
    return Transition(found, (FindPatient(session.generation, identity.lookup_kind, identity.lookup_value),))


@dataclass(frozen=True, slots=True)
class Identified:
    identity: PresentedIdentity


@dataclass(frozen=True, slots=True)
class BookingCode:
    code: str


@dataclass(frozen=True, slots=True)
class NotAccepted:
    message_key: str  # why, in the patient's words


Reading = Identified | BookingCode | NotAccepted


def read_presented(text: str, payload: ClassifiedPayload, *, typed: bool) -> Reading:
    """What a QR or a typed number (`text`, which the domain classified as `payload`) tells the kiosk."""
    parsed = payload.parsed
    if isinstance(parsed, CccdQr) and not typed:
        return Identified(
            _citizen(IdentitySource.CCCD_QR, parsed.id_number, parsed.full_name, parsed.date_of_birth, parsed.sex)
        )
    if isinstance(parsed, BhytQr) and not typed:
        return Identified(_from_bhyt_qr(parsed))
    if payload.kind in _TYPED_KINDS:
        value = "".join(text.split()).upper()
        lookup = _TYPED_KINDS[payload.kind]
        return Identified(
            PresentedIdentity(
                source=IdentitySource.TYPED,
                lookup_kind=lookup,
                lookup_value=value,
                id_number=value if lookup == IdentifierKind.CCCD else None,
                bhxh_number=value if lookup == IdentifierKind.BHXH_NUMBER else None,
                bhyt_code=value if lookup == IdentifierKind.BHYT_CODE else None,
            )
        )
    if payload.kind == PayloadKind.CMND_NUMBER:
        return NotAccepted("identify.old_cmnd_not_accepted")
    code = booking_code(text, payload)
    return BookingCode(code) if code is not None else NotAccepted("identify.not_recognised")


def _from_bhyt_qr(qr: BhytQr) -> PresentedIdentity:
    return PresentedIdentity(
        source=IdentitySource.BHYT_QR,
        lookup_kind=IdentifierKind.BHYT_CODE,
        lookup_value=qr.card_code,
        full_name=qr.full_name,
        date_of_birth=qr.date_of_birth,
        sex=qr.sex.value if qr.sex else None,
        bhyt_code=qr.card_code,
    )


def _presented(session: Session, text: str, reading: Reading, ctx: Context) -> Transition:
    if not text:
        return Transition(session)
    if isinstance(reading, Identified):
        return begin_lookup(session, reading.identity, ctx)
    if isinstance(reading, BookingCode):
        booking = appointments.begin(session, reading.code, ctx)
        if booking is not None:
            return booking
        reading = NotAccepted("identify.not_recognised")  # a benefit lookup needs a card
    return Transition(_notice(session, reading.message_key, typed=""))


def _notice(session: Session, key: str | None, typed: str | None = None) -> Session:
    return replace(session, notice_key=key, typed=session.typed if typed is None else typed)


def identity_from_card(card: CardRead) -> PresentedIdentity:
    """What the check-in needs from a chip read; the rest of the card (photo, parents, address) is not kept."""
    return _citizen(IdentitySource.CHIP, card.id_number, card.full_name, card.date_of_birth, card.sex)


def _citizen(source: IdentitySource, id_number: str, full_name: str, born: date, sex: Sex | None) -> PresentedIdentity:
    """A citizen ID's holder, from its chip or its QR: looked up by the ID number."""
    return PresentedIdentity(
        source=source,
        lookup_kind=IdentifierKind.CCCD,
        lookup_value=id_number,
        full_name=full_name,
        date_of_birth=PartialDate.of(born),
        sex=sex.value if sex else None,
        id_number=id_number,
    )
