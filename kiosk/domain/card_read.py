"""What the kiosk learns from a CCCD chip (DG1 + DG13, optionally DG2) and whether the card proved it genuine:
its data signed (passive authentication) and the chip itself the original (chip or active authentication).

Also the access key that opens the chip (the same facts feed BAC and PACE): built from typed ID + dates, from an
MRZ, or from the card's QR, whose missing expiry is tried in the order the law makes likely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from kiosk.domain.card_expiry import candidate_expiries
from kiosk.domain.mrz import bac_key_seed, document_number_from_id, parse_td1
from kiosk.domain.people import Sex

MAX_KEY_TRIES = 3  # each wrong key costs a round trip (BAC) or five (PACE); the law leaves at most 3 expiries


class SignatureStatus(StrEnum):
    """Whether EF.SOD's signature chains to a configured country signing certificate (CSCA)."""

    VALID = "valid"
    INVALID = "invalid"
    NO_TRUST_ANCHOR = "no_trust_anchor"


@dataclass(frozen=True, slots=True)
class PassiveAuthResult:
    """`hashes_ok`: every data group read matches EF.SOD. `signature`: EF.SOD's signer chain."""

    hashes_ok: bool
    signature: SignatureStatus


class ChipAuthStatus(StrEnum):
    """Whether the chip proved it holds the private key its signed data name (a clone carries the data, not the key).

    `failed` is treated like a forged card: the patient goes to the desk, no ticket is issued under that identity.
    """

    GENUINE = "genuine"
    FAILED = "failed"
    NOT_OFFERED = "not_offered"  # the card's security object lists neither DG14 (chip auth.) nor DG15 (active auth.)


class ChipAuthProtocol(StrEnum):
    CHIP_AUTHENTICATION = "chip_authentication"
    ACTIVE_AUTHENTICATION = "active_authentication"


@dataclass(frozen=True, slots=True)
class ChipAuthResult:
    status: ChipAuthStatus
    protocol: ChipAuthProtocol | None = None


NOT_OFFERED = ChipAuthResult(ChipAuthStatus.NOT_OFFERED)


class AccessControl(StrEnum):
    """How the chip was opened: PACE when the card offers it (cards since 2024 may refuse BAC), else BAC."""

    BAC = "bac"
    PACE = "pace"


@dataclass(frozen=True, slots=True)
class ChipAccessKey:
    """The printed facts that open the chip (BAC key or PACE password): document number (last 9 ID digits), birth
    date and expiry."""

    document_number: str = field(repr=False)
    date_of_birth: date = field(repr=False)
    expiry: date | None = field(repr=False)  # None: a card without expiry (written 991231)

    def mrz_information(self) -> str:
        return bac_key_seed(self.document_number, self.date_of_birth, self.expiry)


def access_key_from_id(id_number: str, date_of_birth: date, expiry: date | None) -> tuple[ChipAccessKey, ...]:
    """One key from the 12-digit ID and the dates printed on the card; DomainParseError for a bad ID."""
    return (ChipAccessKey(document_number_from_id(id_number), date_of_birth, expiry),)


def access_key_from_mrz(mrz_text: str) -> tuple[ChipAccessKey, ...]:
    """One key from the three MRZ lines on the back of the card; DomainParseError when they do not check."""
    mrz = parse_td1(mrz_text)
    return (ChipAccessKey(mrz.document_number, mrz.date_of_birth, mrz.expiry),)


def access_keys_from_qr(id_number: str, date_of_birth: date, issue_date: date) -> tuple[ChipAccessKey, ...]:
    """Keys from the QR's facts: its expiry is not printed, so each candidate expiry, most likely first (≤ 3)."""
    document_number = document_number_from_id(id_number)
    expiries = candidate_expiries(date_of_birth, issue_date)[:MAX_KEY_TRIES]
    return tuple(ChipAccessKey(document_number, date_of_birth, expiry) for expiry in expiries)


@dataclass(frozen=True, slots=True)
class ReadStats:
    """How the read went on the wire: no personal data, fine to log and benchmark."""

    apdu_count: int
    bytes_sent: int
    bytes_received: int
    elapsed_ms: float
    key_tries: int
    access_control: AccessControl = AccessControl.BAC


@dataclass(frozen=True, slots=True)
class CardRead:
    """The chip's personal data (DG13 fields by number; DG1 as fallback). Personal fields stay out of `repr` so an
    accidental log line leaks nothing; `face_jpeg` (DG2) is only present when the kiosk is configured to read it and
    lives in memory only."""

    document_number: str = field(repr=False)
    id_number: str = field(repr=False)
    full_name: str = field(repr=False)
    date_of_birth: date = field(repr=False)
    sex: Sex | None = field(repr=False)
    nationality: str | None = field(repr=False)
    ethnicity: str | None = field(repr=False)
    religion: str | None = field(repr=False)
    place_of_origin: str | None = field(repr=False)
    place_of_residence: str | None = field(repr=False)
    identifying_marks: str | None = field(repr=False)
    issue_date: date | None = field(repr=False)
    expiry_date: date | None = field(repr=False)
    father_name: str | None = field(repr=False)
    mother_name: str | None = field(repr=False)
    spouse_name: str | None = field(repr=False)
    old_id_number: str | None = field(repr=False)
    passive_auth: PassiveAuthResult
    stats: ReadStats
    face_jpeg: bytes | None = field(default=None, repr=False)
    chip_auth: ChipAuthResult = NOT_OFFERED
