"""Hypothesis settings and generators shared by the domain tests (moderate example counts: 2 shared cores)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from kiosk.domain.errors import DomainParseError

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Whatever a scanner or keyboard can hand over: any text, and bytes decoded the lenient ways scanners do.
any_text = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda raw: raw.decode("utf-8", errors="replace")),
    st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")),
    st.text(alphabet="0123456789|$/- <ABCDEFNamNữu", max_size=120),
)

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
issue_dates = st.dates(min_value=date(2016, 1, 1), max_value=date(2040, 12, 31))
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)

# Vietnamese letters with and without marks, so names exercise NFC and hex-encoded UTF-8.
_VI_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
vi_words = st.text(alphabet=_VI_LETTERS + _VI_LETTERS.upper(), min_size=1, max_size=8)
vi_names = st.lists(vi_words, min_size=1, max_size=4).map(" ".join)
vi_addresses = st.lists(st.one_of(vi_words, st.integers(1, 999).map(str)), min_size=1, max_size=8).map(", ".join)


T = TypeVar("T")


def parses_or_refuses(parse: Callable[[str], T], text: str) -> T | None:
    """Call a parser on anything; the only way it may fail is a DomainParseError with a snake_case reason."""
    try:
        return parse(text)
    except DomainParseError as err:
        reason = err.reason
    assert re.fullmatch(r"[a-z][a-z_]*", reason), reason
    return None
