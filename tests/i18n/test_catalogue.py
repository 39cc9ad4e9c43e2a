"""Every message the kiosk can show exists in Vietnamese and English, NFC, with the same placeholders."""

from __future__ import annotations

import re
import string
import unicodedata
from pathlib import Path

import pytest

from kiosk.domain.entitlement import KNOWN_CODES, result_for_code
from kiosk.domain.out_of_service import DESK_KEY, TITLE_KEY, OutOfService
from kiosk.flow.state import BUSY_STEPS
from kiosk.hardware.chip.errors import MESSAGE_KEYS as CHIP_KEYS
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.i18n.catalogue import CATALOGUE, translate

REPO = Path(__file__).resolve().parents[2]
KEY = re.compile(
    r'"((?:identify|entitlement|printer|hub|department|visit|ticket|desk|benefit|app|idle|confirm|'
    r'status|busy|home|failed|chip|priority|maintenance|appointment|out_of_service|payment)\.[a-z0-9_]+)"'
)


def keys_named_in(*packages: str) -> set[str]:
    found: set[str] = set()
    for package in packages:
        for path in (REPO / package).rglob("*.py"):
            found |= {k for k in KEY.findall(path.read_text(encoding="utf-8")) if not k.endswith(".py")}
    return found


def needed_keys() -> set[str]:
    # The devices name their own keys (kiosk/hardware: chip.*, printer.*): the patient reads those too.
    keys = keys_named_in("kiosk/flow", "kiosk/screens", "kiosk/cli", "kiosk/hardware")
    keys |= {result_for_code(code).message_key for code in KNOWN_CODES} | {result_for_code("999").message_key}
    keys |= set(CHIP_KEYS.values())
    keys |= {"printer.paper_out", "printer.cover_open", "printer.failed", "hub.unavailable", "hub.timeout"}
    keys |= {f"busy.{step.value}" for step in BUSY_STEPS}
    keys |= {reason.message_key for reason in OutOfService} | {TITLE_KEY, DESK_KEY}
    return keys


def test_every_key_the_kiosk_can_show_is_in_the_catalogue() -> None:
    missing = sorted(k for k in needed_keys() if k not in CATALOGUE)
    assert missing == []


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_both_languages_are_written_nfc_with_the_same_placeholders(key: str) -> None:
    vi, en = CATALOGUE[key]
    assert vi.strip()
    assert en.strip()
    assert unicodedata.is_normalized("NFC", vi)
    fields = [{name for _, name, _, _ in string.Formatter().parse(text) if name} for text in (vi, en)]
    assert fields[0] == fields[1]


def test_an_unknown_key_never_shows_the_key_itself() -> None:
    assert translate("hub.something_new", "vi") == CATALOGUE["hub.error"][0]
    assert translate("entitlement.something_new", "en") == CATALOGUE["entitlement.unknown_result"][1]
    assert translate("idle.body", "en", seconds=20) == "To protect your personal data, this session ends in 20 seconds."


@pytest.mark.parametrize("code", list(ChipErrorCode))
def test_every_chip_error_has_its_own_sentence_in_both_languages(code: ChipErrorCode) -> None:
    key = ChipError(code).message_key
    assert key.startswith("chip.")
    assert key in CATALOGUE
    assert translate(key, "vi") != translate("entitlement.unknown_result", "vi")  # not the generic fallback


def test_a_card_that_cannot_be_verified_says_so_and_sends_to_the_desk() -> None:
    key = ChipError(ChipErrorCode.NOT_VERIFIABLE).message_key
    assert key == "chip.card_cannot_be_verified_go_to_desk"
    assert "quầy tiếp đón" in translate(key, "vi")
    assert "verified" in translate(key, "en")


@pytest.mark.parametrize("state", ["paper_out", "cover_open", "no_response", "error", "offline"])
def test_every_printer_failure_the_patient_can_meet_has_a_sentence(state: str) -> None:
    from kiosk.hardware.printer.ticket_printer import TicketNotPrinted

    key = TicketNotPrinted(state).message_key
    assert key.startswith("printer.")
    assert key in CATALOGUE
