from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given

from kiosk.domain.card_expiry import candidate_expiries
from kiosk.domain.errors import DomainParseError
from tests.domain.strategies import FAST, birth_dates, issue_dates

BORN = date(1990, 5, 10)


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        # Old law (before 2024-07-01): milestones 25, 40, 60.
        (date(2016, 1, 4), [date(2030, 5, 10)]),  # issued at 25 → valid to 40
        (date(2012, 5, 9), [date(2015, 5, 10)]),  # 21, well before 23 → valid to 25
        (date(2021, 3, 1), [date(2030, 5, 10)]),  # 30 → 40
    ],
)
def test_old_law_milestones(issued: date, expected: list[date | None]) -> None:
    assert candidate_expiries(BORN, issued) == expected


def test_issued_less_than_two_years_before_a_milestone_runs_to_the_next() -> None:
    assert candidate_expiries(BORN, date(2029, 1, 1)) == [date(2050, 5, 10)]  # at 38 → 60
    assert candidate_expiries(BORN, date(2028, 5, 9)) == [date(2030, 5, 10)]  # a day before 38 → 40


def test_exact_two_year_boundary_gives_both_readings_inclusive_first() -> None:
    assert candidate_expiries(BORN, date(2028, 5, 10)) == [date(2050, 5, 10), date(2030, 5, 10)]


def test_issued_at_58_or_older_never_expires() -> None:
    assert candidate_expiries(date(1950, 1, 1), date(2015, 6, 1)) == [None]  # at 65
    assert candidate_expiries(date(1960, 1, 1), date(2018, 6, 1)) == [None]  # at 58
    assert candidate_expiries(date(1960, 1, 1), date(2018, 1, 1)) == [None, date(2020, 1, 1)]  # on the 58th birthday
    assert candidate_expiries(date(1960, 1, 1), date(2017, 12, 31)) == [date(2020, 1, 1)]


def test_new_law_adds_the_14_milestone() -> None:
    child = date(2015, 9, 2)
    assert candidate_expiries(child, date(2024, 7, 1)) == [date(2029, 9, 2)]  # at 8 → 14
    assert candidate_expiries(child, date(2028, 1, 1)) == [date(2040, 9, 2)]  # at 12, < 2 years before 14 → 25
    # The same age under the old law has no 14 milestone.
    assert candidate_expiries(date(2008, 9, 2), date(2024, 6, 30)) == [date(2033, 9, 2)]


def test_29_february_gives_28_february_then_1_march() -> None:
    leapling = date(1996, 2, 29)
    assert candidate_expiries(leapling, date(2021, 6, 1)) == [date(2036, 2, 29)]  # 40th birthday is a leap year
    assert candidate_expiries(leapling, date(2010, 6, 1)) == [date(2021, 2, 28), date(2021, 3, 1)]


def test_at_most_three_candidates_when_both_ambiguities_meet() -> None:
    leapling = date(1996, 2, 29)
    # 2019-02-28 is the 23rd "birthday" (28 Feb reading): the 2-year boundary before 25.
    assert candidate_expiries(leapling, date(2019, 2, 28)) == [date(2036, 2, 29), date(2021, 2, 28), date(2021, 3, 1)]


def test_issue_before_birth_is_refused() -> None:
    with pytest.raises(DomainParseError) as err:
        candidate_expiries(date(2000, 1, 1), date(1999, 1, 1))
    assert err.value.reason == "issued_before_birth"


@FAST
@given(birth_dates, issue_dates)
def test_candidates_are_few_distinct_and_after_issue(born: date, issued: date) -> None:
    if issued < born:
        return
    candidates = candidate_expiries(born, issued)
    assert 1 <= len(candidates) <= 3
    assert len(set(candidates)) == len(candidates)
    for expiry in candidates:
        assert expiry is None or expiry > issued
        assert expiry is None or expiry.month in {born.month, 3}
