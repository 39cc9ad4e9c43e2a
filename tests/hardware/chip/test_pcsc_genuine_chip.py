"""PACE, chip authentication and clones through the PC/SC adapter, a real pcscd and vpcd, and `kiosk card read`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.domain.card_read import AccessControl, ChipAuthProtocol, ChipAuthStatus, access_key_from_id
from kiosk.hardware.chip.adapter_pyscard import PyscardChipReader
from tests.support.emulated_card import EmulatedCccd
from tests.support.emulated_card_data import CardFiles, TestPki, build_card
from tests.support.emulated_card_keys import ChipAuthOffer, ChipSecurity, PaceOffer
from tests.support.emulated_card_vpcd import VpcdCardLink
from tests.support.pcsc_daemon import FIRST_READER, PcscDaemon

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(60)]


@pytest.fixture(scope="module")
def new_card(card_files: CardFiles) -> CardFiles:
    """A card of the new generation: PACE only, chip authentication, signed by the session's test CSCA."""
    security = ChipSecurity(pace=(PaceOffer(13, 2),), chip_auth=ChipAuthOffer(13, 2))
    return build_card(
        pki=TestPki(card_files.pki.csca, card_files.pki.document_signer, card_files.pki.signer_key),
        with_face=False,
        security=security,
    )


@pytest.fixture
def on_reader(pcscd: PcscDaemon, new_card: CardFiles, request: pytest.FixtureRequest) -> Iterator[VpcdCardLink]:
    clone = getattr(request, "param", False)
    link = VpcdCardLink(EmulatedCccd(new_card, speaks_bac=False, clone=clone), pcscd.netns)
    link.insert()
    try:
        yield link
    finally:
        link.pull()


def _key(files: CardFiles) -> tuple:  # type: ignore[type-arg]
    return access_key_from_id(files.card.id_number, files.card.date_of_birth, files.card.expiry)


async def test_a_pace_only_card_proves_its_chip_through_pcscd(
    reader: PyscardChipReader, on_reader: VpcdCardLink, new_card: CardFiles
) -> None:
    read = await reader.read(_key(new_card))
    assert read.stats.access_control is AccessControl.PACE
    assert (read.chip_auth.status, read.chip_auth.protocol) == (
        ChipAuthStatus.GENUINE,
        ChipAuthProtocol.CHIP_AUTHENTICATION,
    )
    assert read.full_name == new_card.card.full_name
    assert read.stats.apdu_count == 13


@pytest.mark.parametrize("on_reader", [True], indirect=True, ids=["clone"])
async def test_a_clone_is_reset_read_again_and_reported_failed_through_pcscd(
    reader: PyscardChipReader, on_reader: VpcdCardLink, new_card: CardFiles
) -> None:
    read = await reader.read(_key(new_card))
    assert read.chip_auth.status is ChipAuthStatus.FAILED
    assert read.full_name == new_card.card.full_name  # after SCardReconnect's warm reset, PACE again
    assert on_reader.card.pace_runs == 2


@pytest.mark.parametrize("on_reader", [False, True], indirect=True, ids=["genuine", "clone"])
def test_kiosk_card_read_prints_chip_auth_beside_passive_auth(
    pcscd: PcscDaemon, on_reader: VpcdCardLink, new_card: CardFiles, csca_file: Path
) -> None:
    person = new_card.card
    key = ("--id", person.id_number, "--dob", person.date_of_birth.isoformat(), "--expiry", str(person.expiry))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "card",
            "read",
            "--reader",
            FIRST_READER,
            "--json",
            *key,
            "--csca",
            str(csca_file),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PCSCLITE_CSOCK_NAME": str(pcscd.socket_path)},
        timeout=30,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    out = json.loads(done.stdout)
    assert done.returncode == 0
    assert out["passive_auth"] == {"hashes_ok": True, "signature": "valid"}
    assert out["chip_auth"] == ("failed" if on_reader.card.clone else "genuine")
    assert (out["chip_auth_protocol"], out["access_control"]) == ("chip_authentication", "pace")
    assert person.id_number not in done.stderr
