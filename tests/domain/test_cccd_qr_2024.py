"""The QR of the căn cước card issued since 1 July 2024 (Law 26/2023, Circular 16/2024/TT-BCA): printed on the back,
it carries the personal identification number, name, date of birth, sex, place of residence and issue date, and,
where they exist, the 9-digit CMND number, a cancelled identification number and the parents' names (cards of young
children). The published sources list the contents, not the field order: these layouts keep the first seven
fields of the CCCD QR and append the rest (medium confidence), which the parser must read without shifting. People
and numbers are invented.
"""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.domain.card_expiry import candidate_expiries
from kiosk.domain.cccd_qr import parse_cccd_qr
from kiosk.domain.errors import DomainParseError
from kiosk.domain.people import Sex

# A boy born in 2016 (G = 2: male, 2000s), card issued in September 2024 with his parents' names appended.
CHILD = (
    "001216012345||Nguyễn Minh Khang|01032016|Nam|Số 5 Ngõ 12 Phố Huế, Phường Hai Bà Trưng, Hà Nội|01092024|"
    "|Nguyễn Văn Hùng|Trần Thị Lan"
)
# A woman born in 1989 (G = 1) renewing in August 2024: her 9-digit CMND kept, no cancelled number.
ADULT = "079189012345|025123456|Trần Thị Bích Ngọc|14031989|Nữ|Phường Bến Nghé, TP. Hồ Chí Minh|15082024||"
# A number cancelled and replaced: the former 12-digit number where the CMND used to be.
REISSUED = "031095000777|031095000123|Lê Văn Tâm|20111995|Nam|Hải Phòng|02102024|031095000123"


def test_a_childs_card_with_parents_names_appended_is_read_without_shifting() -> None:
    card = parse_cccd_qr(CHILD)
    assert (card.id_number, card.old_id_number, card.full_name) == ("001216012345", None, "Nguyễn Minh Khang")
    assert (card.date_of_birth, card.sex, card.issue_date) == (date(2016, 3, 1), Sex.MALE, date(2024, 9, 1))
    assert card.address == "Số 5 Ngõ 12 Phố Huế, Phường Hai Bà Trưng, Hà Nội"
    assert card.id_mismatches == frozenset()


def test_a_childs_card_issued_after_july_2024_expires_at_fourteen() -> None:
    card = parse_cccd_qr(CHILD)
    assert candidate_expiries(card.date_of_birth, card.issue_date)[0] == date(2030, 3, 1)


def test_an_adult_renewal_keeps_the_cmnd_and_ignores_empty_trailing_fields() -> None:
    card = parse_cccd_qr(ADULT)
    assert (card.old_id_number, card.sex, card.issue_date) == ("025123456", Sex.FEMALE, date(2024, 8, 15))
    assert card.id_mismatches == frozenset()


def test_a_cancelled_twelve_digit_number_in_the_old_id_field_is_kept() -> None:
    card = parse_cccd_qr(REISSUED)
    assert (card.id_number, card.old_id_number) == ("031095000777", "031095000123")


def test_a_new_card_qr_cut_before_the_issue_date_is_refused() -> None:
    with pytest.raises(DomainParseError) as err:
        parse_cccd_qr("|".join(CHILD.split("|")[:6]))
    assert err.value.reason == "too_few_fields"
