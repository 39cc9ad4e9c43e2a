"""The whole chip read against the emulated card, in process (fast; the same card also runs behind pcscd)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.card_expiry import candidate_expiries
from kiosk.domain.card_read import (
    CardRead,
    ChipAccessKey,
    SignatureStatus,
    access_key_from_id,
    access_key_from_mrz,
    access_keys_from_qr,
)
from kiosk.domain.people import Sex
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.read_card import ReadOptions, read_card
from kiosk.hardware.chip.session import EXTENDED_READ, SHORT_READ, largest_chunk, sm_response_size
from tests.hardware.chip.scripted_card import DirectLink
from tests.support.emulated_card import EmulatedCccd
from tests.support.emulated_card_data import CardFiles, CitizenCard, build_card, dg13, face_jpeg, make_pki


@pytest.fixture(scope="module")
def files() -> CardFiles:
    return build_card()


def _key(card: CitizenCard) -> tuple[ChipAccessKey, ...]:
    return access_key_from_id(card.id_number, card.date_of_birth, card.expiry)


def _read(files: CardFiles, keys: tuple[ChipAccessKey, ...] | None = None, **options: object) -> CardRead:
    card = EmulatedCccd(files, extended_length=bool(options.get("extended_length", False)))
    read_options = ReadOptions(trust_anchors=[files.pki.csca], **options)  # type: ignore[arg-type]
    return read_card(DirectLink(card), keys or _key(files.card), read_options)


def test_a_genuine_card_gives_every_dg13_field_and_passes_passive_authentication(files: CardFiles) -> None:
    read = _read(files)
    card = files.card
    assert (read.id_number, read.document_number, read.full_name) == (card.id_number, "089012345", card.full_name)
    assert (read.date_of_birth, read.sex, read.issue_date, read.expiry_date) == (
        card.date_of_birth,
        Sex.FEMALE,
        card.issue_date,
        card.expiry,
    )
    assert (read.nationality, read.ethnicity, read.religion) == ("Việt Nam", "Kinh", "Không")
    assert (read.place_of_origin, read.place_of_residence) == (card.place_of_origin, card.place_of_residence)
    assert (read.father_name, read.mother_name, read.spouse_name) == ("Nguyễn Văn Hùng", "Trần Thị Lan", None)
    assert read.old_id_number == "012345678"
    assert read.passive_auth.hashes_ok
    assert read.passive_auth.signature is SignatureStatus.VALID
    assert read.face_jpeg is None  # DG2 only when configured


def test_personal_data_stays_out_of_the_repr(files: CardFiles) -> None:
    text = repr(_read(files))
    assert files.card.id_number not in text
    assert "Nguyễn" not in text
    assert "089012345" not in text


def test_the_face_is_read_only_when_asked_and_is_the_jpeg(files: CardFiles) -> None:
    read = _read(files, read_face=True)
    assert read.face_jpeg is not None
    assert read.face_jpeg.startswith(b"\xff\xd8\xff")


def test_extended_length_reads_each_file_in_one_command(files: CardFiles) -> None:
    short = _read(files, read_face=True)
    extended = _read(files, read_face=True, extended_length=True)
    # EF.CardAccess (none), SELECT AID, GET CHALLENGE, EXTERNAL AUTHENTICATE, then one READ BINARY per file:
    # EF.SOD, DG1, DG13, DG2 (which data groups exist comes from EF.SOD, not EF.COM).
    assert extended.stats.apdu_count == 8
    assert short.stats.apdu_count > extended.stats.apdu_count
    assert short.face_jpeg == extended.face_jpeg


def test_a_card_without_short_file_identifiers_is_read_by_select(files: CardFiles) -> None:
    card = EmulatedCccd(files)
    card.faults.no_sfi = True
    read = read_card(DirectLink(card), _key(files.card), ReadOptions(trust_anchors=[files.pki.csca]))
    assert read.id_number == files.card.id_number


def test_the_mrz_opens_the_card(files: CardFiles) -> None:
    read = _read(files, keys=access_key_from_mrz(files.card.mrz()))
    assert read.full_name == files.card.full_name


def test_the_qr_alone_opens_the_card_trying_candidate_expiries_in_order() -> None:
    birth, issued = dt.date(1990, 5, 10), dt.date(2013, 5, 10)  # exactly 2 years before 25: two readings of the law
    candidates = candidate_expiries(birth, issued)
    assert len(candidates) >= 2
    files = build_card(CitizenCard(date_of_birth=birth, issue_date=issued, expiry=candidates[1]), with_face=False)
    read = _read(files, keys=access_keys_from_qr(files.card.id_number, birth, issued))
    assert read.stats.key_tries == 2
    assert read.expiry_date == candidates[1]


def test_a_card_without_expiry_reads_none() -> None:
    files = build_card(CitizenCard(date_of_birth=dt.date(1950, 1, 2), expiry=None), with_face=False)
    assert _read(files).expiry_date is None


def test_a_wrong_key_is_a_wrong_key_error(files: CardFiles) -> None:
    wrong = access_key_from_id(files.card.id_number, files.card.date_of_birth, dt.date(2030, 1, 1))
    with pytest.raises(ChipError) as caught:
        _read(files, keys=wrong)
    assert caught.value.code is ChipErrorCode.WRONG_KEY


def test_a_tampered_dg13_is_refused_as_not_verifiable(files: CardFiles) -> None:
    forged = dg13(dataclasses.replace(files.card, full_name="Kẻ Giả Mạo"))
    with pytest.raises(ChipError) as caught:
        _read(files.with_file(0x010D, forged))
    assert caught.value.code is ChipErrorCode.NOT_VERIFIABLE
    assert caught.value.message_key == "chip.card_cannot_be_verified_go_to_desk"


def test_without_the_issuing_csca_the_signature_has_no_trust_anchor(files: CardFiles) -> None:
    card = EmulatedCccd(files)
    read = read_card(DirectLink(card), _key(files.card), ReadOptions(trust_anchors=[]))
    assert read.passive_auth.signature is SignatureStatus.NO_TRUST_ANCHOR


def test_a_csca_of_the_same_name_but_another_key_makes_the_signature_invalid(files: CardFiles) -> None:
    impostor = make_pki().csca  # same subject name "Test CSCA Vietnam", different key
    card = EmulatedCccd(files)
    read = read_card(DirectLink(card), _key(files.card), ReadOptions(trust_anchors=[impostor]))
    assert read.passive_auth.signature is SignatureStatus.INVALID


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("reject_next_sm_mac", ChipErrorCode.SECURE_MESSAGING),
        ("corrupt_response_mac", ChipErrorCode.SECURE_MESSAGING),
        ("deny_reads", ChipErrorCode.ACCESS_DENIED),
    ],
)
def test_card_faults_become_typed_errors(files: CardFiles, fault: str, code: ChipErrorCode) -> None:
    card = EmulatedCccd(files)
    setattr(card.faults, fault, True)
    with pytest.raises(ChipError) as caught:
        read_card(DirectLink(card), _key(files.card), ReadOptions(trust_anchors=[files.pki.csca]))
    assert caught.value.code is code


def test_plain_reads_without_bac_are_refused_by_the_card(files: CardFiles) -> None:
    card = EmulatedCccd(files)
    assert card.process(bytes.fromhex("00A4040C07A0000002471001")) == b"\x90\x00"
    assert card.process(bytes.fromhex("00B0810000")) == b"\x69\x82"


def test_the_short_read_size_is_the_most_a_256_byte_answer_carries() -> None:
    assert SHORT_READ == 0xE7
    assert sm_response_size(SHORT_READ) <= 256 < sm_response_size(SHORT_READ + 1)


@given(budget=st.integers(20, 70_000))
def test_the_chunk_for_a_reader_limit_always_fits_it(budget: int) -> None:
    chunk = largest_chunk(budget)
    assert sm_response_size(chunk) <= budget
    assert chunk == EXTENDED_READ or sm_response_size(chunk + 1) > budget


def test_a_smaller_read_size_reads_the_same_card_in_more_commands(files: CardFiles) -> None:
    whole = _read(files, extended_length=True)
    small = _read(files, extended_length=True, read_chunk=100)
    assert small.stats.apdu_count > whole.stats.apdu_count
    assert small.full_name == whole.full_name


@pytest.mark.parametrize("extended", [False, True])
def test_a_face_image_past_32_kib_is_read_with_odd_read_binary(extended: bool) -> None:
    jpeg = face_jpeg((200, 200), noisy=True)
    assert len(jpeg) > 0x8000
    files = build_card(face=jpeg)
    read = _read(files, read_face=True, extended_length=extended)
    assert read.face_jpeg == jpeg
    assert read.passive_auth.hashes_ok
