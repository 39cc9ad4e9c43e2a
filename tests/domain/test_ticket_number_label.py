"""The printed number is the queue system's own label when it gives one ("UT-0003"), validated like the rest."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from kiosk.domain.dates import VN_TZ
from kiosk.domain.ticket import Lane, QueueTicket, TicketError, VisitType, display_number

TICKET = QueueTicket(
    hospital_name="Bệnh viện Đa khoa Demo",
    department_name="Khoa Nội",
    room_name="Phòng 101",
    room_location="Tầng 1",
    queue_number=3,
    lane=Lane.PRIORITY,
    patient_display_name="Trần Văn Bình",
    patient_birth_year=1948,
    visit_type=VisitType.BHYT,
    printed_at=datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ),
    status_url="https://hub.example/t/T3",
)


def test_the_queue_systems_label_is_the_number_shown() -> None:
    assert replace(TICKET, number_label="UT-0003").display_number == "UT-0003"
    assert replace(TICKET, number_label=" 0003 ").display_number == "0003"


def test_without_a_label_the_number_has_at_least_three_digits() -> None:
    assert TICKET.display_number == "003"


@pytest.mark.parametrize("label", ["", "   ", "UT 0003", "ƯT-0003", "0123456789ABC", "UT-\x000"])
def test_a_label_the_printer_cannot_print_as_one_word_is_refused(label: str) -> None:
    with pytest.raises(TicketError, match="bad_number_label"):
        replace(TICKET, number_label=label)


def test_the_queue_systems_numbers_have_four_digits_and_the_priority_lane_a_prefix() -> None:
    assert display_number(Lane.NORMAL, 12) == "0012"
    assert display_number(Lane.PRIORITY, 3) == "UT-0003"
    assert display_number("priority", 9999) == "UT-9999"  # the hub's own lane values are the same words
