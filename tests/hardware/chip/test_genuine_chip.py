"""Chip and active authentication against the emulated card in process: genuine chips pass, clones (the genuine
data and public keys, not the private key) and broken answers fail, and a failure is reported without card data."""

from __future__ import annotations

import dataclasses
import logging
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kiosk.domain.card_read import (
    AccessControl,
    CardRead,
    ChipAuthProtocol,
    ChipAuthResult,
    ChipAuthStatus,
    access_key_from_id,
)
from kiosk.hardware.chip.chip_auth import iso9796_2_recovers
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.read_card import ReadOptions, read_card
from tests.hardware.chip.scripted_card import DirectLink
from tests.support.emulated_card import EmulatedCccd
from tests.support.emulated_card_crypto import BRAINPOOL_P256R1, BRAINPOOL_P384R1, P256, Curve
from tests.support.emulated_card_data import CardFiles, TestPki, build_card, make_pki
from tests.support.emulated_card_keys import (
    ActiveAuthOffer,
    ChipAuthOffer,
    ChipSecurity,
    PaceOffer,
    dg14_and_dg15,
)

CA, AA = ChipAuthProtocol.CHIP_AUTHENTICATION, ChipAuthProtocol.ACTIVE_AUTHENTICATION
PROFILES = {
    "PACE + CA ECDH AES": (ChipSecurity(pace=(PaceOffer(13, 2),), chip_auth=ChipAuthOffer(13, 2)), CA),
    "BAC + CA 3DES, curve written out": (ChipSecurity(chip_auth=ChipAuthOffer(12, None, explicit_parameters=True)), CA),
    "PACE + CA DH AES, key id": (ChipSecurity(pace=(PaceOffer(12, 2),), chip_auth=ChipAuthOffer(0, 2, key_id=7)), CA),
    "BAC + AA RSA": (ChipSecurity(active_auth=ActiveAuthOffer("rsa", 1024)), AA),
    "PACE + AA ECDSA": (ChipSecurity(pace=(PaceOffer(13, 2),), active_auth=ActiveAuthOffer("ecdsa", curve=16)), AA),
}


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return make_pki()


@pytest.fixture(scope="module", params=list(PROFILES), ids=list(PROFILES))
def profile(request: pytest.FixtureRequest, pki: TestPki) -> tuple[CardFiles, ChipAuthProtocol]:
    security, protocol = PROFILES[request.param]
    return build_card(pki=pki, with_face=False, security=security), protocol


@pytest.fixture(scope="module")
def ca_card(pki: TestPki) -> CardFiles:
    return build_card(pki=pki, with_face=False, security=PROFILES["PACE + CA ECDH AES"][0])


@pytest.fixture(scope="module")
def aa_card(pki: TestPki) -> CardFiles:
    return build_card(pki=pki, with_face=False, security=PROFILES["BAC + AA RSA"][0])


def _read(card: EmulatedCccd) -> CardRead:
    person = card.files.card
    keys = access_key_from_id(person.id_number, person.date_of_birth, person.expiry)
    return read_card(DirectLink(card), keys, ReadOptions(trust_anchors=[card.files.pki.csca], extended_length=True))


def test_a_genuine_chip_proves_itself(profile: tuple[CardFiles, ChipAuthProtocol]) -> None:
    files, protocol = profile
    read = _read(EmulatedCccd(files))
    assert read.chip_auth == ChipAuthResult(ChipAuthStatus.GENUINE, protocol)
    assert read.full_name == files.card.full_name
    assert read.passive_auth.hashes_ok


def test_a_clone_has_the_data_but_fails_the_proof(
    profile: tuple[CardFiles, ChipAuthProtocol], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    files, protocol = profile
    read = _read(EmulatedCccd(files, clone=True))
    assert read.chip_auth == ChipAuthResult(ChipAuthStatus.FAILED, protocol)
    assert read.passive_auth.hashes_ok  # the copied data are genuinely signed: only the chip gives it away
    assert "authentication failed" in caplog.text
    for secret in (files.card.id_number, files.card.document_number, files.card.full_name):
        assert secret not in caplog.text


def test_chip_authentication_costs_three_commands_and_the_personal_data_travel_under_its_keys(
    ca_card: CardFiles,
) -> None:
    card = EmulatedCccd(ca_card)
    read = _read(card)
    assert read.stats.access_control is AccessControl.PACE
    # EF.CardAccess, MSE, 4 × GA, SELECT, EF.SOD, then DG14, MSE:Set AT, GA, and DG1, DG13 under the new keys.
    assert read.stats.apdu_count == 13


def test_a_chip_authentication_answer_with_a_wrong_mac_is_a_failed_chip(ca_card: CardFiles) -> None:
    card = EmulatedCccd(ca_card)
    card.faults.corrupt_mac_after_chip_auth = True
    read = _read(card)
    assert read.chip_auth == ChipAuthResult(ChipAuthStatus.FAILED, CA)
    assert read.full_name == ca_card.card.full_name  # read again after a reset, without the proof


def test_a_copy_on_a_chip_that_cannot_do_chip_authentication_fails(ca_card: CardFiles) -> None:
    copy = dataclasses.replace(ca_card, secrets=None)  # DG14 copied; the chip answers 6D00 to MSE
    assert _read(EmulatedCccd(copy)).chip_auth == ChipAuthResult(ChipAuthStatus.FAILED, CA)


def test_an_invalid_active_authentication_signature_is_a_failed_chip(aa_card: CardFiles) -> None:
    card = EmulatedCccd(aa_card)
    card.faults.corrupt_active_auth = True
    assert _read(card).chip_auth == ChipAuthResult(ChipAuthStatus.FAILED, AA)


@pytest.mark.parametrize(("group", "fid"), [(14, 0x010E), (15, 0x010F)])
def test_dg14_or_dg15_missing_though_ef_com_and_ef_sod_list_it_is_a_failed_chip(
    ca_card: CardFiles, aa_card: CardFiles, group: int, fid: int
) -> None:
    files = (ca_card if group == 14 else aa_card).without_file(fid)
    read = _read(EmulatedCccd(files))
    assert read.chip_auth.status is ChipAuthStatus.FAILED
    assert read.full_name == files.card.full_name


def test_a_dg14_with_another_chip_key_is_refused_by_passive_authentication(ca_card: CardFiles) -> None:
    assert ca_card.secrets is not None
    forged, _ = dg14_and_dg15(ca_card.secrets.security)  # a cloner's own key pair: EF.SOD still has the original
    with pytest.raises(ChipError) as caught:
        _read(EmulatedCccd(ca_card.with_file(0x010E, forged[14])))
    assert caught.value.code is ChipErrorCode.NOT_VERIFIABLE


def test_a_card_without_dg14_or_dg15_offers_no_proof(pki: TestPki) -> None:
    read = _read(EmulatedCccd(build_card(pki=pki, with_face=False)))
    assert read.chip_auth == ChipAuthResult(ChipAuthStatus.NOT_OFFERED)


# ICAO 9303-11's worked example of active authentication (RSA, 1024 bits, SHA-1): the message representative F for
# the challenge RND.IFD. The example prints no key, so one is made here; F's recovery is what is checked.
AA_CHALLENGE = bytes.fromhex("F173589974BF40C6")
AA_F = bytes.fromhex(
    "6A9D2784A67F8E7C659973EA1AEA25D95B6C8F91E5002F369F0FBDCE8A3CEC1991B543F1696546C5524CF23A5303CD6C98599F40B79F"
    "377B5F3A1406B3B4D8F96784D23AA88DB7E1032A405E69325FA91A6E86F5C71AEA978264C4A207446DAD4E7292E2DCDA3024B47DA8C0"
    "63AA1E6D22FBD976AB0FE73D94D2D9C6D88127BC"
)


def test_iso_9796_2_recovery_of_the_worked_example() -> None:
    key = rsa.generate_private_key(65537, 1024)
    numbers = key.private_numbers()
    n = numbers.public_numbers.n
    signature = pow(int.from_bytes(AA_F, "big"), numbers.d, n)
    for value in (signature, n - signature):  # a chip may send either (ISO/IEC 9796-2: min(s, n − s))
        assert iso9796_2_recovers(key.public_key(), value.to_bytes(128, "big"), AA_CHALLENGE)
    assert not iso9796_2_recovers(key.public_key(), signature.to_bytes(128, "big"), bytes(8))
    other = rsa.generate_private_key(65537, 1024).public_key()
    assert not iso9796_2_recovers(other, signature.to_bytes(128, "big"), AA_CHALLENGE)


@pytest.mark.parametrize(
    ("curve", "reference"),
    [(P256, ec.SECP256R1()), (BRAINPOOL_P256R1, ec.BrainpoolP256R1()), (BRAINPOOL_P384R1, ec.BrainpoolP384R1())],
    ids=lambda value: getattr(value, "name", ""),
)
def test_the_test_cards_curve_constants_agree_with_openssl(curve: Curve, reference: ec.EllipticCurve) -> None:
    private = int.from_bytes(os.urandom(curve.size), "big") % (curve.n - 1) + 1
    expected = ec.derive_private_key(private, reference).public_key()
    raw = expected.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert curve.encode(curve.multiply(private, (curve.gx, curve.gy))) == raw
    assert curve.multiply(curve.n, (curve.gx, curve.gy)) is None  # the order really is the base point's order
