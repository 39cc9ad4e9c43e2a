"""`kiosk decode`: run as hospital IT would run it (the installed command, in a subprocess), plus the JSON contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from kiosk.cli.decode import decode_to_json
from tests.domain import public_samples as samples
from tests.domain.strategies import FAST, any_text

REPO = Path(__file__).resolve().parents[2]
INSTALLED = REPO / ".venv" / "bin" / "kiosk"
CCCD_FIELDS = {"kind", "id_number", "old_id_number", "full_name", "date_of_birth", "sex", "address", "issue_date"}
BHYT_FIELDS = {
    "kind", "card_code", "benefit_level", "benefit_percent", "full_name", "date_of_birth", "sex", "address",
    "registered_facility", "valid_from", "valid_to", "issue_date", "five_year_date", "guardian_name",
}  # fmt: skip


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(INSTALLED)] if INSTALLED.exists() else [sys.executable, "-m", "kiosk"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def _decode(payload: str) -> dict[str, Any]:
    done = _run("decode", payload)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    value: dict[str, Any] = json.loads(done.stdout)
    return value


def test_cccd_qr_from_the_command_line() -> None:
    out = _decode(samples.CCCD_QR_EMPTY_OLD_ID_PSEUDONYMISED)
    assert out == {
        "kind": "cccd_qr",
        "id_number": "049202000002",
        "old_id_number": None,
        "full_name": "Khuất Văn Hoà",
        "date_of_birth": "2002-02-24",
        "sex": "male",
        "address": "Cẩm Yên, Thạch Thất, Hà Nội",
        "issue_date": "2021-05-31",
    }


def test_bhyt_qr_from_the_command_line() -> None:
    out = _decode(samples.BHYT_QR_OLD_SPECIMEN)
    assert set(out) == BHYT_FIELDS
    assert out["kind"] == "bhyt_qr"
    assert (out["card_code"], out["benefit_level"], out["benefit_percent"]) == ("HS4010120878837", 4, 80)
    assert (out["full_name"], out["sex"], out["date_of_birth"]) == ("Vũ Xuân Minh", "male", "2008-09-07")
    assert (out["registered_facility"], out["valid_to"], out["five_year_date"]) == ("01028", None, None)


def test_unknown_input_is_an_answer_with_exit_code_0() -> None:
    # argv cannot carry NUL; other control bytes and stray separators can.
    out = _decode("\x01\x7f not a card |||$$")
    assert out["kind"] == "unknown"
    assert out["reason"] == "missing_field"
    assert set(out) == {"kind", "reason"}


def test_missing_payload_is_a_usage_error() -> None:
    done = _run("decode")
    assert done.returncode == 2
    assert "payload" in done.stderr


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("001089012345", {"kind": "cccd_number", "id_number": "001089012345", "sex": "male"}),
        (
            "0123456789",
            {"kind": "bhxh_number", "card_code": "0123456789", "benefit_level": None, "benefit_percent": None},
        ),
        (
            "CC1790123456789",
            {"kind": "bhyt_code", "card_code": "CC1790123456789", "benefit_level": 1, "benefit_percent": 100},
        ),
        ("123456789", {"kind": "cmnd_number", "old_id_number": "123456789"}),
        ("", {"kind": "unknown", "reason": "empty"}),
    ],
)
def test_typed_numbers(payload: str, expected: dict[str, Any]) -> None:
    assert decode_to_json(payload) == expected


def test_partial_dates_are_printed_as_known() -> None:
    name = "Nguyễn Văn An".encode().hex()
    assert decode_to_json(f"0123456789|{name}|1950|1$")["date_of_birth"] == "1950"
    assert decode_to_json(f"0123456789|{name}|03/1950|1$")["date_of_birth"] == "1950-03"
    assert set(decode_to_json(samples.CCCD_QR_WITH_OLD_ID_PSEUDONYMISED)) == CCCD_FIELDS


@FAST
@given(any_text)
def test_any_text_gives_json_with_a_kind(payload: str) -> None:
    out = decode_to_json(payload)
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out
    assert out["kind"] in {"cccd_qr", "bhyt_qr", "cccd_number", "bhxh_number", "bhyt_code", "cmnd_number", "unknown"}
