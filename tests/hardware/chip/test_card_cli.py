"""`kiosk card read` end to end: a subprocess on the test pcscd with the emulated card on the reader."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.emulated_card_data import CardFiles
from tests.support.emulated_card_vpcd import VpcdCardLink
from tests.support.pcsc_daemon import FIRST_READER, PcscDaemon

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(60)]


def _kiosk(pcscd: PcscDaemon, *args: str) -> tuple[int, dict[str, object]]:
    env = {**os.environ, "PCSCLITE_CSOCK_NAME": str(pcscd.socket_path)}
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "card", "read", "--reader", FIRST_READER, *args, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def test_read_with_id_and_dates_prints_the_card(
    pcscd: PcscDaemon, card_on_reader: VpcdCardLink, card_files: CardFiles, csca_file: Path
) -> None:
    card = card_files.card
    code, out = _kiosk(
        pcscd,
        *("--id", card.id_number, "--dob", card.date_of_birth.isoformat()),
        *("--expiry", str(card.expiry), "--csca", str(csca_file)),
    )
    assert code == 0
    assert out["id_number"] == card.id_number
    assert out["full_name"] == card.full_name
    assert out["expiry_date"] == str(card.expiry)
    assert out["mother_name"] == card.mother_name
    assert out["passive_auth"] == {"hashes_ok": True, "signature": "valid"}
    assert out["apdu_count"] == 7


def test_read_with_the_mrz_and_the_face(pcscd: PcscDaemon, card_on_reader: VpcdCardLink, card_files: CardFiles) -> None:
    code, out = _kiosk(pcscd, "--mrz", card_files.card.mrz(), "--dg2")
    assert code == 0
    assert out["passive_auth"] == {"hashes_ok": True, "signature": "no_trust_anchor"}
    assert isinstance(out["face_jpeg_base64"], str)


def test_a_wrong_key_exits_non_zero_with_a_json_error(
    pcscd: PcscDaemon, card_on_reader: VpcdCardLink, card_files: CardFiles
) -> None:
    card = card_files.card
    code, out = _kiosk(pcscd, "--id", card.id_number, "--dob", "2000-01-01", "--expiry", "none")
    assert code != 0
    assert out["error"]["code"] == "wrong_key"  # type: ignore[index]
