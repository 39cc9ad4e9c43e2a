"""Every step, choice and message key has speech in Vietnamese and English, and the ticket is said in words."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.domain.entitlement import KNOWN_CODES, result_for_code
from kiosk.domain.ticket import VisitType
from kiosk.flow.state import Step
from kiosk.hardware.chip.errors import MESSAGE_KEYS as CHIP_KEYS
from kiosk.speech import prompts
from kiosk.speech.keypad import FocusRing
from kiosk.speech.navigator import DEPARTMENT_PREFIX, choices_for
from kiosk.speech.notices import NOTICES
from kiosk.speech.script import screen_text
from tests.speech.sessions import session_at

REPO = Path(__file__).resolve().parents[2]
_KEY = re.compile(r"^[a-z]+\.[a-z_]+$")
# Abbreviations espeak-ng would spell letter by letter; the voice says them in full.
_SPELLED = ("BHYT", "BHXH", "CCCD", "CMND", "KCB")


def message_keys_named_in(package: str) -> set[str]:
    """Every string literal shaped like a message key ("printer.paper_out") in a package's source."""
    found = set()
    for path in (REPO / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _KEY.match(node.value):
                found.add(node.value)
    return {key for key in found if not key.startswith("kiosk.")}


def all_message_keys() -> set[str]:
    keys = set().union(
        *(message_keys_named_in(p) for p in ("kiosk/domain", "kiosk/flow", "kiosk/backend_client", "kiosk/hardware"))
    )
    keys |= {result_for_code(code).message_key for code in KNOWN_CODES} | {result_for_code("999").message_key}
    return keys | set(CHIP_KEYS.values())


def test_the_key_scan_finds_the_keys_it_must() -> None:
    keys = all_message_keys()
    assert {"identify.card_unreadable", "printer.paper_out", "hub.timeout", "entitlement.card_expired"} <= keys
    assert "chip.place_card_on_reader" in keys
    assert len(keys) > 40


def test_every_message_key_has_speech_in_both_languages() -> None:
    missing = sorted(k for k in all_message_keys() if k not in NOTICES or not all(NOTICES[k]))
    assert missing == []


@pytest.mark.parametrize("step", list(Step))
def test_every_step_has_speech_in_both_languages(step: Step) -> None:
    vi, en = prompts.STEPS[step]
    assert vi.strip()
    assert en.strip()
    assert vi != en


@pytest.mark.parametrize("step", list(Step))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_step_says_something_and_names_a_choice(step: Step, language: str) -> None:
    session = session_at(step, language)
    choices = choices_for(session)
    for choice in choices:
        assert choice.id.startswith(DEPARTMENT_PREFIX) or choice.id in prompts.CHOICES
    said = screen_text(session, FocusRing(choices))
    assert len(said) > 15
    assert not any(c.isdigit() for c in said), said  # every number is said as words
    if len(choices) > 1 and language == "vi":
        assert "trên" in said  # "Mục 1 trên 3": the listener knows how many choices there are


def test_vietnamese_speech_is_vietnamese_and_english_is_english() -> None:
    tables = [prompts.STEPS, prompts.CHOICES, prompts.PHRASES, NOTICES]
    for table in tables:
        for key, (vi, en) in table.items():
            if key in ("language", "typed.digit"):
                continue  # names the other language in its own words; a digit placeholder
            assert any(ord(c) > 127 for c in vi), key
            assert en.isascii(), key
            assert not any(abbreviation in vi for abbreviation in _SPELLED), key


def test_the_ticket_is_said_with_its_number_room_and_where_to_go() -> None:
    vi = screen_text(session_at(Step.DONE, "vi"), FocusRing(()))
    en = screen_text(session_at(Step.DONE, "en"), FocusRing(()))
    assert vi.startswith("Số thứ tự của bạn là mười hai.")
    assert "Khoa Nội, Phòng một trăm linh một, Tầng một" in vi
    assert "Còn ba người trước bạn, khoảng hai mươi phút" in vi
    assert en.startswith("Your queue number is twelve.")
    assert "Room one hundred one, Floor one" in en


def test_a_provisional_ticket_is_said_to_be_provisional_and_a_bhyt_one_to_be_checked_at_the_desk() -> None:
    done = session_at(Step.DONE, "vi")
    assert done.ticket is not None
    online = screen_text(done, FocusRing(()))
    bhyt = replace(done, ticket=replace(done.ticket, provisional=True, visit=VisitType.BHYT))
    fee = replace(done, ticket=replace(done.ticket, provisional=True, visit=VisitType.FEE))
    assert "số tạm" not in online
    assert "số tạm" in screen_text(bhyt, FocusRing(()))
    assert "chưa được kiểm tra" in screen_text(bhyt, FocusRing(()))
    assert "chưa được kiểm tra" not in screen_text(fee, FocusRing(()))


def test_names_and_id_numbers_are_never_spoken() -> None:
    for step in Step:
        for language in ("vi", "en"):
            said = screen_text(session_at(step, language), FocusRing(choices_for(session_at(step, language))))
            assert "Nguyễn" not in said
            assert "2345" not in said


def test_an_unknown_key_is_said_as_a_generic_sentence_not_as_the_key() -> None:
    assert prompts.notice_text("hub.some_new_code", "vi") == prompts.notice_text("hub.error", "vi")
    assert prompts.notice_text("entitlement.new_thing", "en") == prompts.notice_text("entitlement.unknown_result", "en")


def test_idle_warning_and_help_are_spoken() -> None:
    assert "hai mươi lăm giây" in prompts.phrase("idle.warning", "vi", seconds=25)
    assert "twenty-five seconds" in prompts.phrase("idle.warning", "en", seconds=25)


def test_every_notice_the_screens_can_show_is_spoken_too() -> None:
    # The screen catalogue's messages (not its button labels or titles): what a notice line can show.
    from kiosk.i18n.catalogue import CATALOGUE

    notice_prefixes = ("identify.", "entitlement.", "printer.", "hub.", "chip.")
    labels = {"identify.title", "identify.instructions", "identify.typed_placeholder", "identify.erase"}
    labels |= {"identify.submit", "entitlement.problem_title"}
    shown = {k for k in CATALOGUE if k.startswith(notice_prefixes) and k not in labels} | {"department.closed"}
    assert sorted(shown - set(NOTICES)) == []
