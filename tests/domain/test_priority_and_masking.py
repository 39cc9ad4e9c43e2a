from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.dates import PartialDate
from kiosk.domain.masking import mask_id
from kiosk.domain.priority import PriorityReason, needs_staff_confirmation, priority_reasons
from tests.domain.strategies import FAST, any_text

P = PriorityReason
TODAY = date(2026, 11, 23)
NONE: frozenset[PriorityReason] = frozenset()


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (date(2020, 11, 24), {P.CHILD_UNDER_6}),  # 5 until tomorrow
        (date(2020, 11, 23), set()),  # 6 today
        (date(1951, 11, 23), {P.AGED_75_PLUS}),  # 75 today
        (date(1951, 11, 24), set()),  # 74 until tomorrow
        (PartialDate(1951), {P.AGED_75_PLUS}),  # year only: counted from 1 January, as HIS do
        (PartialDate(2021, 12), {P.CHILD_UNDER_6}),
        (date(2030, 1, 1), set()),  # a DOB in the future gives no age reason
        (None, set()),
    ],
)
def test_age_reasons(born: date | PartialDate | None, expected: set[PriorityReason]) -> None:
    assert priority_reasons(born, TODAY, None, NONE) == expected


def test_merit_groups_from_the_card() -> None:
    assert priority_reasons(date(1960, 1, 1), TODAY, "CC", NONE) == {P.MERIT_TO_REVOLUTION}
    assert priority_reasons(date(1960, 1, 1), TODAY, "ck", NONE) == {P.MERIT_TO_REVOLUTION}
    assert priority_reasons(date(1960, 1, 1), TODAY, "DN", NONE) == set()


def test_only_self_declarable_reasons_are_taken_from_the_patient() -> None:
    declared = frozenset({P.PREGNANT, P.AGED_75_PLUS, P.MERIT_TO_REVOLUTION})
    reasons = priority_reasons(date(1990, 1, 1), TODAY, None, declared)
    assert reasons == {P.PREGNANT}
    assert needs_staff_confirmation(reasons)
    assert not needs_staff_confirmation(priority_reasons(date(1940, 1, 1), TODAY, "CC", NONE))


@FAST
@given(st.dates(), st.sampled_from([None, "CC", "TE"]), st.frozensets(st.sampled_from(PriorityReason)))
def test_age_reasons_exclude_each_other(born: date, group: str | None, declared: frozenset[PriorityReason]) -> None:
    reasons = priority_reasons(born, TODAY, group, declared)
    assert not {P.CHILD_UNDER_6, P.AGED_75_PLUS} <= reasons


def test_mask_shows_only_the_last_four() -> None:
    assert mask_id("001089012345") == "••••••••2345"
    assert mask_id("HS4010120878811") == "•••••••••••8811"
    assert mask_id(" 0123 456 789 ") == "••••••6789"
    assert mask_id("1234") == "••••"
    assert mask_id("") == ""


@FAST
@given(any_text)
def test_mask_never_reveals_more_than_four(text: str) -> None:
    masked = mask_id(text)
    assert len(masked) - masked.count("•") <= 4
