"""Who is served first by law (Law on Medical Examination and Treatment 15/2023, art. 3(2)).

Age-based priority comes from the date of birth on a document, merit to the revolution from the BHYT card group;
pregnancy, disability and emergencies are declared by the patient and confirmed by staff.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from kiosk.domain.dates import PartialDate, years_between


class PriorityReason(StrEnum):
    CHILD_UNDER_6 = "child_under_6"
    AGED_75_PLUS = "aged_75_plus"
    MERIT_TO_REVOLUTION = "merit_to_revolution"
    PREGNANT = "pregnant"
    DISABILITY = "disability"
    EMERGENCY = "emergency"


CHILD_AGE_LIMIT = 6
AGED_FROM = 75
# BHYT groups of people with merit to the revolution (CC) and their relatives / war invalids (CK).
MERIT_GROUPS = frozenset({"CC", "CK"})
SELF_DECLARED = frozenset({PriorityReason.PREGNANT, PriorityReason.DISABILITY, PriorityReason.EMERGENCY})


def _birthday(date_of_birth: date | PartialDate) -> date:
    if isinstance(date_of_birth, date):
        return date_of_birth
    # A year-only DOB is recorded as 1 January by HIS and the gateway (confidence M); follow them.
    return date_of_birth.earliest()


def priority_reasons(
    date_of_birth: date | PartialDate | None,
    today: date,
    beneficiary_group: str | None,
    declared: frozenset[PriorityReason],
) -> frozenset[PriorityReason]:
    """Every legal reason this patient is served first. Declared age or merit reasons are ignored: documents say."""
    reasons = set(declared & SELF_DECLARED)
    if date_of_birth is not None:
        born = _birthday(date_of_birth)
        if born <= today:
            age = years_between(born, today)
            if age < CHILD_AGE_LIMIT:
                reasons.add(PriorityReason.CHILD_UNDER_6)
            if age >= AGED_FROM:
                reasons.add(PriorityReason.AGED_75_PLUS)
    if beneficiary_group is not None and beneficiary_group.strip().upper() in MERIT_GROUPS:
        reasons.add(PriorityReason.MERIT_TO_REVOLUTION)
    return frozenset(reasons)


def needs_staff_confirmation(reasons: frozenset[PriorityReason]) -> bool:
    """A self-declared reason must be confirmed at the room door before it jumps the queue."""
    return bool(reasons & SELF_DECLARED)
