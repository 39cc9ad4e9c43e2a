"""Numbers said as a Vietnamese (and English) listener expects them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.spoken_numbers import english_number, numbers_as_words, spell_digits, vietnamese_number


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (14, "mười bốn"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (100, "một trăm"),
        (101, "một trăm linh một"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (115, "một trăm mười lăm"),
        (1000, "một nghìn"),
        (1005, "một nghìn không trăm linh năm"),
        (2024, "hai nghìn không trăm hai mươi tư"),
        (15000, "mười lăm nghìn"),
        (1_000_000, "một triệu"),
    ],
)
def test_vietnamese_number_words(number: int, words: str) -> None:
    assert vietnamese_number(number) == words


@pytest.mark.parametrize(
    ("number", "words"), [(0, "zero"), (12, "twelve"), (19, "nineteen"), (21, "twenty-one"), (101, "one hundred one")]
)
def test_english_number_words(number: int, words: str) -> None:
    assert english_number(number) == words


def test_digits_in_a_sentence_become_words_and_codes_are_spelled() -> None:
    assert numbers_as_words("Phòng 101, tầng 2", "vi") == "Phòng một trăm linh một, tầng hai"
    assert numbers_as_words("Room 7", "en") == "Room seven"
    assert spell_digits("2345", "vi") == "hai ba bốn năm"


@given(st.integers(min_value=0, max_value=999_999_999))
def test_every_queue_sized_number_has_words_and_no_digits(number: int) -> None:
    for words in (vietnamese_number(number), english_number(number)):
        assert words
        assert not any(c.isdigit() for c in words)
        assert "  " not in words
