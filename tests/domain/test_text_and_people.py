from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given

from kiosk.domain.errors import DomainParseError
from kiosk.domain.people import Sex, sex_from_bhyt_digit, sex_from_vietnamese
from kiosk.domain.text import name_key, nfc, strip_diacritics
from tests.domain.strategies import FAST, any_text, parses_or_refuses, vi_names


def test_nfc_composes_decomposed_vietnamese() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Đào")
    assert decomposed != "Nguyễn Thị Đào"
    assert nfc(decomposed) == "Nguyễn Thị Đào"


def test_strip_diacritics_handles_d_with_stroke() -> None:
    assert strip_diacritics("Nguyễn Thị Đào, đường Lê Lợi") == "Nguyen Thi Dao, duong Le Loi"


def test_name_key_compares_names_across_documents() -> None:
    assert name_key("  nguyễn   văn  an ") == name_key("NGUYEN VAN AN")


@pytest.mark.parametrize(
    ("word", "sex"), [("Nam", Sex.MALE), ("Nữ", Sex.FEMALE), ("Nu", Sex.FEMALE), ("NỮ", Sex.FEMALE)]
)
def test_sex_words(word: str, sex: Sex) -> None:
    assert sex_from_vietnamese(word) is sex
    assert sex_from_vietnamese(unicodedata.normalize("NFD", word)) is sex


def test_sex_digits_and_refusals() -> None:
    assert sex_from_bhyt_digit("1") is Sex.MALE
    assert sex_from_bhyt_digit("2") is Sex.FEMALE
    for bad in ("0", "3", "", "Nam"):
        with pytest.raises(DomainParseError) as err:
            sex_from_bhyt_digit(bad)
        assert err.value.reason == "bad_sex"
    with pytest.raises(DomainParseError):
        sex_from_vietnamese("Male")


@FAST
@given(any_text)
def test_text_functions_total_and_nfc(text: str) -> None:
    assert unicodedata.is_normalized("NFC", nfc(text))
    assert strip_diacritics(strip_diacritics(text)) == strip_diacritics(text)
    for parse in (sex_from_vietnamese, sex_from_bhyt_digit):
        parses_or_refuses(parse, text)


@FAST
@given(vi_names)
def test_vietnamese_names_strip_to_ascii(name: str) -> None:
    assert strip_diacritics(name).isascii()
    assert name_key(unicodedata.normalize("NFD", name)) == name_key(name)
