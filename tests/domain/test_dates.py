from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given

from kiosk.domain.dates import (
    PartialDate,
    local_date,
    parse_compact_date,
    parse_iso_partial_date,
    parse_partial_date,
    parse_slashed_date,
    years_between,
)
from kiosk.domain.errors import DomainParseError
from tests.domain.strategies import FAST, any_text, birth_dates, parses_or_refuses


def test_local_date_is_the_day_in_vietnam() -> None:
    # 17:30 UTC is already 00:30 the next day in Hà Nội (UTC+7).
    assert local_date(datetime(2026, 3, 1, 17, 30, tzinfo=UTC)) == date(2026, 3, 2)
    assert local_date(datetime(2026, 3, 1, 16, 59, tzinfo=UTC)) == date(2026, 3, 1)


def test_local_date_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2026, 3, 1, 12, 0))  # noqa: DTZ001 - the point of the test


def test_day_first_formats() -> None:
    assert parse_compact_date("01021989") == date(1989, 2, 1)
    assert parse_slashed_date("01/02/1989") == date(1989, 2, 1)
    assert parse_slashed_date(" 1/2/1989 ") == date(1989, 2, 1)


@pytest.mark.parametrize("text", ["31021989", "29022023", "1021989", "0102198", "", "abcdefgh", "01021789", "٠١٠٢١٩٨٩"])
def test_compact_refusals(text: str) -> None:
    with pytest.raises(DomainParseError) as err:
        parse_compact_date(text)
    assert err.value.reason == "bad_date"


def test_partial_dates_keep_what_is_known() -> None:
    assert parse_partial_date("1950").iso() == "1950"
    assert parse_partial_date("03/1950").iso() == "1950-03"
    assert parse_partial_date("07/03/1950").iso() == "1950-03-07"
    assert parse_partial_date("1950").earliest() == date(1950, 1, 1)
    assert parse_partial_date("1950").latest() == date(1950, 12, 31)
    assert parse_partial_date("02/2024").latest() == date(2024, 2, 29)
    assert parse_partial_date("03/1950").full() is None
    assert parse_partial_date("00/1950").iso() == "1950"
    assert parse_partial_date("00/00/1950").iso() == "1950"
    assert parse_partial_date("00/03/1950").iso() == "1950-03"
    assert parse_partial_date("07/03/1950").full() == date(1950, 3, 7)


@pytest.mark.parametrize("text", ["13/1950", "-", "19500", "32/01/1950", "1950-03-07"])
def test_partial_refusals(text: str) -> None:
    with pytest.raises(DomainParseError):
        parse_partial_date(text)


def test_age_counts_completed_years() -> None:
    assert years_between(date(2000, 5, 10), date(2025, 5, 9)) == 24
    assert years_between(date(2000, 5, 10), date(2025, 5, 10)) == 25
    assert years_between(date(2000, 2, 29), date(2025, 2, 28)) == 24
    assert years_between(date(2000, 2, 29), date(2025, 3, 1)) == 25


@FAST
@given(birth_dates)
def test_round_trip_of_each_format(day: date) -> None:
    assert parse_compact_date(day.strftime("%d%m%Y")) == day
    assert parse_slashed_date(day.strftime("%d/%m/%Y")) == day
    assert parse_partial_date(day.strftime("%d/%m/%Y")) == PartialDate.of(day)
    assert parse_partial_date(day.strftime("%m/%Y")).iso() == day.strftime("%Y-%m")
    for partial in (PartialDate.of(day), PartialDate(day.year, day.month), PartialDate(day.year)):
        assert parse_iso_partial_date(partial.iso()) == partial  # as the Kiosk HIS API writes it


@FAST
@given(any_text)
def test_date_parsers_raise_only_domain_errors(text: str) -> None:
    for parse in (parse_compact_date, parse_slashed_date, parse_partial_date, parse_iso_partial_date):
        parses_or_refuses(parse, text)


@pytest.mark.parametrize("text", ["", "89", "1989-2-1", "1989-02-30", "1989/02/01", "01/02/1989", "1989-13"])
def test_an_iso_date_of_birth_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(DomainParseError):
        parse_iso_partial_date(text)
