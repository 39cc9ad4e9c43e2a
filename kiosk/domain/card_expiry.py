"""When a CCCD / căn cước card expires, worked out from the date of birth and the issue date (both on the QR).

The QR carries no expiry, but the chip's BAC key needs it; the law fixes it by age milestones (Law on Citizen
Identification 2014 art. 21; Law on Identification 2023 art. 21). Where the rule can be read two ways, the kiosk
tries each reading in turn, so this returns ordered candidates rather than one answer.
"""

from __future__ import annotations

from datetime import date

from kiosk.domain.errors import DomainParseError

# Cards issued under the 2023 law (in force 2024-07-01) add a milestone at 14, since children can now hold one.
NEW_LAW_FROM = date(2024, 7, 1)
OLD_MILESTONES = (25, 40, 60)
NEW_MILESTONES = (14, 25, 40, 60)
# A card issued within this many years before a milestone stays valid until the next one.
GRACE_YEARS = 2
MAX_CANDIDATES = 3


def _birthdays(date_of_birth: date, age: int) -> list[date]:
    """The day a person turns `age`; for 29 February in a common year both readings, 28 Feb first (L)."""
    year = date_of_birth.year + age
    try:
        return [date_of_birth.replace(year=year)]
    except ValueError:
        # Confidence L: the law does not say; population registers commonly use 28 Feb, some systems 1 Mar.
        return [date(year, 2, 28), date(year, 3, 1)]


def _expiry_for(milestones: tuple[int, ...], date_of_birth: date, issue_date: date, inclusive: bool) -> list[int]:
    """The milestone ages (0 = no expiry) a card issued on `issue_date` runs to, under one reading of "within"."""
    for index, age in enumerate(milestones):
        turning = _birthdays(date_of_birth, age)[0]
        if turning <= issue_date:
            continue
        grace_start = _birthdays(date_of_birth, age - GRACE_YEARS)[0]
        in_grace = grace_start <= issue_date if inclusive else grace_start < issue_date
        if not in_grace:
            return [age]
        return [milestones[index + 1]] if index + 1 < len(milestones) else [0]
    return [0]


def candidate_expiries(date_of_birth: date, issue_date: date) -> list[date | None]:
    """Possible expiry dates, most likely first, at most three; None means the card never expires (`991231`)."""
    if issue_date < date_of_birth:
        raise DomainParseError("issued_before_birth")
    milestones = NEW_MILESTONES if issue_date >= NEW_LAW_FROM else OLD_MILESTONES
    # "Within 2 years before" (trong thời hạn 02 năm trước) most likely includes the boundary day itself, as
    # "issued at 58 or older: no expiry" does; the exclusive reading is the second guess (confidence M).
    ages = _expiry_for(milestones, date_of_birth, issue_date, inclusive=True)
    ages += _expiry_for(milestones, date_of_birth, issue_date, inclusive=False)
    candidates: list[date | None] = []
    for age in ages:
        for expiry in [None] if age == 0 else _birthdays(date_of_birth, age):
            if expiry not in candidates:
                candidates.append(expiry)
    return candidates[:MAX_CANDIDATES]
