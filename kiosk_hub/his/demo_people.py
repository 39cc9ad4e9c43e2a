"""The demo HIS's synthetic patients: the owners of the demo BHYT cards, as hospital records."""

from __future__ import annotations

from kiosk_hub.bhxh.demo_cards import DEMO_CARDS


def demo_people() -> list[dict[str, str | None]]:
    return [
        {
            "patient_code": f"BN{index:08d}",
            "id_number": card.id_number,
            "bhxh_number": card.bhxh_number,
            "bhyt_code": card.card_code,
            "full_name": card.full_name,
            "date_of_birth": card.iso_date_of_birth,
            "sex": "male" if card.sex == "1" else "female",
            "address": "Số 1 Đường Demo, Hà Nội",
            "phone": None,
        }
        for index, card in enumerate(DEMO_CARDS, start=1)
    ]
