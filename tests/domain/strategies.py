"""Hypothesis settings and generators shared by the domain tests (moderate example counts: 2 shared cores)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from kiosk.domain.bhyt_qr import BhytQr
from kiosk.domain.cccd_qr import CccdQr
from kiosk.domain.dates import PartialDate
from kiosk.domain.errors import DomainParseError
from kiosk.domain.people import Sex

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


@st.composite
def cccd_cards(draw: st.DrawFn) -> CccdQr:
    born = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2024, 12, 31)))
    sex = draw(st.sampled_from(Sex))
    digit = (born.year // 100 - 19) * 2 + (1 if sex is Sex.FEMALE else 0)
    number = f"{draw(st.integers(1, 96)):03d}{digit}{born.year % 100:02d}{draw(st.integers(0, 999999)):06d}"
    old = draw(st.one_of(st.none(), st.from_regex(r"[0-9]{9}", fullmatch=True)))
    issued = draw(st.dates(min_value=max(born, date(2016, 1, 1)), max_value=date(2040, 12, 31)))
    address = draw(st.one_of(st.none(), vi_addresses))
    return CccdQr(number, old, draw(vi_names), born, sex, address, issued)


_dates = st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))


@st.composite
def bhyt_cards(draw: st.DrawFn) -> BhytQr:
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)))
    precision = draw(st.sampled_from(["day", "month", "year"]))
    dob = {
        "day": PartialDate.of(born),
        "month": PartialDate(born.year, born.month),
        "year": PartialDate(born.year),
    }[precision]
    code = draw(
        st.one_of(
            st.from_regex(r"[0-9]{10}", fullmatch=True), st.from_regex(r"(CC|TE|DN|HT)[1-5][0-9]{12}", fullmatch=True)
        )
    )
    facility = draw(st.one_of(st.none(), st.from_regex(r"[0-9]{2}[0-9A-Z][0-9]{2}", fullmatch=True)))
    return BhytQr(
        card_code=code,
        full_name=draw(vi_names),
        date_of_birth=dob,
        sex=draw(st.one_of(st.none(), st.sampled_from(Sex))),
        address=draw(st.one_of(st.none(), vi_addresses)),
        registered_facility=facility,
        valid_from=draw(_dates),
        valid_to=draw(_dates),
        issue_date=draw(_dates),
        five_year_date=draw(_dates),
        guardian_name=draw(st.one_of(st.none(), vi_names)),
    )
