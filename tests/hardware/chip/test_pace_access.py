"""Opening the chip PACE first, BAC as fallback, against the emulated card in process (the same card runs behind
pcscd in test_pcsc_genuine_chip.py): which protocol opens which card, and every way PACE can go wrong."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.domain.card_expiry import candidate_expiries
from kiosk.domain.card_read import AccessControl, CardRead, ChipAccessKey, access_key_from_id, access_keys_from_qr
from kiosk.domain.cccd_qr import parse_cccd_qr
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.read_card import ReadOptions, read_card
from kiosk.hardware.chip.session import SHORT_RESPONSE, largest_chunk, sm_response_size
from tests.hardware.chip.scripted_card import DirectLink
from tests.support.emulated_card import EmulatedCccd
from tests.support.emulated_card_data import CardFiles, CitizenCard, TestPki, build_card, make_pki
from tests.support.emulated_card_keys import CARD_ACCESS_FID, ChipSecurity, PaceOffer

PACE = ChipSecurity(pace=(PaceOffer(13, 2),))


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return make_pki()


@pytest.fixture(scope="module")
def pace_card(pki: TestPki) -> CardFiles:
    return build_card(pki=pki, with_face=False, security=PACE)


def _key(card: CitizenCard) -> tuple[ChipAccessKey, ...]:
    return access_key_from_id(card.id_number, card.date_of_birth, card.expiry)


def _read(card: EmulatedCccd, keys: tuple[ChipAccessKey, ...] | None = None, **options: object) -> CardRead:
    read_options = ReadOptions(trust_anchors=[card.files.pki.csca], **options)  # type: ignore[arg-type]
    return read_card(DirectLink(card), keys or _key(card.files.card), read_options)


@pytest.mark.parametrize(
    "offer",
    [PaceOffer(13, 2), PaceOffer(12, 1), PaceOffer(12, 3), PaceOffer(16, 4), PaceOffer(0, 2), PaceOffer(0, 1)],
    ids=[
        "brainpoolP256r1-AES128",
        "P256-3DES",
        "P256-AES192",
        "brainpoolP384r1-AES256",
        "DH1024-AES128",
        "DH1024-3DES",
    ],
)
def test_a_card_that_speaks_only_pace_is_read_with_pace(pki: TestPki, offer: PaceOffer) -> None:
    card = EmulatedCccd(build_card(pki=pki, with_face=False, security=ChipSecurity(pace=(offer,))), speaks_bac=False)
    read = _read(card, extended_length=True)
    assert read.stats.access_control is AccessControl.PACE
    assert (read.full_name, read.id_number) == (card.files.card.full_name, card.files.card.id_number)
    assert read.passive_auth.hashes_ok
    # EF.CardAccess, MSE:Set AT, four GENERAL AUTHENTICATE, SELECT (protected), EF.SOD, DG1, DG13.
    assert read.stats.apdu_count == 10
    assert (card.pace_runs, card.bac_runs) == (1, 0)


def test_a_card_offering_both_is_opened_with_pace_and_a_bac_only_card_with_bac(
    pki: TestPki, pace_card: CardFiles
) -> None:
    both = EmulatedCccd(pace_card)
    assert _read(both).stats.access_control is AccessControl.PACE
    assert both.bac_runs == 0
    bac_only = EmulatedCccd(build_card(pki=pki, with_face=False))
    assert _read(bac_only).stats.access_control is AccessControl.BAC
    assert bac_only.pace_runs == 0


def test_a_card_that_advertises_pace_but_answers_bac_only_is_read_with_bac(pace_card: CardFiles) -> None:
    card = EmulatedCccd(pace_card, speaks_pace=False)
    read = _read(card)
    assert read.stats.access_control is AccessControl.BAC
    assert read.full_name == pace_card.card.full_name


@pytest.mark.parametrize("step", [1, 2, 3, 4])
def test_pace_refused_mid_way_falls_back_to_bac(pace_card: CardFiles, step: int) -> None:
    card = EmulatedCccd(pace_card)
    card.faults.refuse_pace_at_step = step
    read = _read(card)
    assert read.stats.access_control is AccessControl.BAC
    assert (card.pace_runs, card.bac_runs) == (1, 1)


def test_pace_refused_mid_way_on_a_pace_only_card_sends_the_patient_to_the_desk(pace_card: CardFiles) -> None:
    card = EmulatedCccd(pace_card, speaks_bac=False)
    card.faults.refuse_pace_at_step = 2
    with pytest.raises(ChipError) as caught:
        _read(card)
    assert caught.value.code is ChipErrorCode.CARD_ERROR
    assert caught.value.message_key == "chip.card_cannot_be_read_go_to_desk"


def test_a_wrong_expiry_under_pace_is_followed_by_the_next_derived_one_never_by_bac(pki: TestPki) -> None:
    birth, issued = dt.date(1990, 5, 10), dt.date(2013, 5, 10)  # exactly 2 years before 25: two readings of the law
    expiry = candidate_expiries(birth, issued)[1]
    files = build_card(CitizenCard(date_of_birth=birth, issue_date=issued, expiry=expiry), pki, False, security=PACE)
    card = EmulatedCccd(files)
    read = _read(card, keys=access_keys_from_qr(files.card.id_number, birth, issued))
    assert (read.stats.key_tries, read.stats.access_control, read.expiry_date) == (2, AccessControl.PACE, expiry)
    assert (card.pace_runs, card.bac_runs) == (2, 0)


def test_no_right_key_under_pace_is_a_wrong_key_after_three_tries_and_the_card_still_opens(
    pace_card: CardFiles,
) -> None:
    card = EmulatedCccd(pace_card)
    person = pace_card.card
    wrong = tuple(
        ChipAccessKey(person.document_number, person.date_of_birth, dt.date(2030 + n, 1, 1)) for n in range(3)
    )
    with pytest.raises(ChipError) as caught:
        _read(card, keys=wrong)
    assert caught.value.code is ChipErrorCode.WRONG_KEY
    assert caught.value.message_key == "chip.card_details_do_not_open_card"
    assert (card.pace_runs, card.bac_runs) == (3, 0)
    assert _read(card).full_name == person.full_name  # no lockout: the right key opens it straight after


def test_aes_secure_messaging_reads_a_face_in_short_chunks_that_fit_256_bytes(pki: TestPki) -> None:
    assert largest_chunk(SHORT_RESPONSE, 16) == 223
    assert sm_response_size(223, 16) <= SHORT_RESPONSE < sm_response_size(224, 16)
    files = build_card(pki=pki, with_face=True, security=PACE)
    card = EmulatedCccd(files, extended_length=False)
    read = _read(card, read_face=True)
    assert read.face_jpeg is not None
    assert read.face_jpeg.startswith(b"\xff\xd8\xff")


def test_an_unreadable_card_access_or_unknown_parameters_mean_bac(pace_card: CardFiles, pki: TestPki) -> None:
    garbled = EmulatedCccd(pace_card.with_file(CARD_ACCESS_FID, b"\x31\x03\x02\x01\x01"))
    assert _read(garbled).stats.access_control is AccessControl.BAC
    unknown = build_card(pki=pki, with_face=False, security=ChipSecurity(pace=(PaceOffer(3, 2),)))  # id 3: reserved
    card = EmulatedCccd(unknown)
    assert _read(card).stats.access_control is AccessControl.BAC
    assert card.pace_runs == 0  # nothing sent for a protocol the kiosk cannot run


def test_a_2024_childs_card_opens_with_pace_from_its_qr_alone(pki: TestPki) -> None:
    qr = parse_cccd_qr(
        "001216012345||Nguyễn Minh Khang|01032016|Nam|Phường Hai Bà Trưng, Hà Nội|01092024|"
        "|Nguyễn Văn Hùng|Trần Thị Lan"
    )
    child = CitizenCard(
        id_number=qr.id_number,
        full_name=qr.full_name,
        date_of_birth=qr.date_of_birth,
        sex=qr.sex,
        issue_date=qr.issue_date,
        expiry=dt.date(2030, 3, 1),  # the 14th birthday: the first milestone for cards issued since July 2024
        old_id_number=None,
    )
    card = EmulatedCccd(build_card(child, pki, False, security=PACE), speaks_bac=False)
    read = _read(card, keys=access_keys_from_qr(qr.id_number, qr.date_of_birth, qr.issue_date))
    assert (read.stats.access_control, read.stats.key_tries) == (AccessControl.PACE, 1)
    assert (read.full_name, read.expiry_date) == (qr.full_name, dt.date(2030, 3, 1))
