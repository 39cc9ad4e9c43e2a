"""What the kiosk does with the answer of the social-insurance (BHXH) card check, and whether a card is in date.

The HIS calls the gateway (`KQNhanLichSuKCB2024`) and passes its `maKetQua` on; this module maps each code to one
kiosk action and a message key. Care is never refused because the gateway is down (Law on Health Insurance), so
gateway errors register the patient and mark the card for re-checking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class EntitlementAction(StrEnum):
    PROCEED = "proceed"
    USE_NEW_CARD = "use_new_card"
    RETRY_ONCE = "retry_once"
    DESK = "desk"
    FEE_OR_DESK = "fee_or_desk"
    TRY_OTHER_IDENTIFIER = "try_other_identifier"
    REGISTER_AND_RECHECK = "register_and_recheck"
    CONFIGURATION_FAULT = "configuration_fault"
    GUARDIAN_FLOW = "guardian_flow"


@dataclass(frozen=True)
class BhxhResult:
    code: str
    action: EntitlementAction
    message_key: str


_A = EntitlementAction
# maKetQua → (action, message key). Keys are under "entitlement." in the kiosk's message catalogue.
_CATALOGUE: dict[str, tuple[EntitlementAction, str]] = {
    "000": (_A.PROCEED, "card_valid"),
    "001": (_A.DESK, "card_managed_by_defence"),
    "002": (_A.DESK, "card_managed_by_public_security"),
    "003": (_A.USE_NEW_CARD, "old_card_replaced"),
    "004": (_A.USE_NEW_CARD, "new_card_issued"),
    "010": (_A.FEE_OR_DESK, "card_expired"),
    "050": (_A.TRY_OTHER_IDENTIFIER, "card_not_found"),
    "051": (_A.TRY_OTHER_IDENTIFIER, "card_code_wrong"),
    "052": (_A.TRY_OTHER_IDENTIFIER, "card_province_wrong"),
    "053": (_A.TRY_OTHER_IDENTIFIER, "card_benefit_level_wrong"),
    "054": (_A.CONFIGURATION_FAULT, "lookup_staff_not_registered"),
    "055": (_A.CONFIGURATION_FAULT, "lookup_staff_name_mismatch"),
    "060": (_A.RETRY_ONCE, "name_mismatch"),
    "061": (_A.RETRY_ONCE, "name_mismatch"),
    "070": (_A.RETRY_ONCE, "date_of_birth_mismatch"),
    # Older gateway versions also answered 080 (wrong sex) and 090 (wrong registered facility), as public HIS
    # code still lists them (confidence M); neither is something the patient can fix at the kiosk.
    "080": (_A.DESK, "sex_mismatch"),
    "090": (_A.DESK, "registered_facility_mismatch"),
    "100": (_A.REGISTER_AND_RECHECK, "gateway_unavailable"),
    "101": (_A.REGISTER_AND_RECHECK, "gateway_unavailable"),
    "500": (_A.REGISTER_AND_RECHECK, "gateway_unavailable"),
    "110": (_A.DESK, "card_revoked"),
    "120": (_A.DESK, "card_stopped"),
    "121": (_A.DESK, "card_stopped"),
    "122": (_A.DESK, "card_stopped"),
    "123": (_A.DESK, "card_stopped"),
    "124": (_A.DESK, "card_stopped"),
    "130": (_A.GUARDIAN_FLOW, "child_without_card"),
    "205": (_A.CONFIGURATION_FAULT, "gateway_bad_request"),
    "401": (_A.CONFIGURATION_FAULT, "gateway_authentication"),
}
KNOWN_CODES = frozenset(_CATALOGUE)


def _normalise(code: str) -> str:
    # HIS integrations pass the code as text or as a number (0, 10, 4): both mean the 3-digit code.
    stripped = code.strip()
    return stripped.zfill(3) if stripped.isascii() and stripped.isdigit() else stripped


def result_for_code(ma_ket_qua: str) -> BhxhResult:
    """The kiosk's action for a gateway result; a code not in the catalogue goes to the desk, keeping the code."""
    code = _normalise(ma_ket_qua)
    action, key = _CATALOGUE.get(code, (EntitlementAction.DESK, "unknown_result"))
    return BhxhResult(code=code, action=action, message_key=f"entitlement.{key}")


def card_valid_on(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    """`gtTheTu ≤ day ≤ gtTheDen`; a missing bound is open (new cards may print `-` for the end date)."""
    if valid_from is not None and day < valid_from:
        return False
    return valid_to is None or day <= valid_to
