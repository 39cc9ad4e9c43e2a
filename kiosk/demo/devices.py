"""The demo's simulated devices and clock: a printer that keeps (and pictures) what it printed, chip and QR
payloads made from the hub's demo cards, and a clock that can jump ahead (idle timeouts without waiting)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.domain.bhyt_qr import BhytQr, format_bhyt_qr
from kiosk.domain.card_read import CardRead, PassiveAuthResult, ReadStats, SignatureStatus
from kiosk.domain.cccd_qr import CccdQr, format_cccd_qr
from kiosk.domain.dates import VN_TZ, PartialDate
from kiosk.domain.people import Sex
from kiosk.domain.ticket import DeskSlip, QueueTicket
from kiosk.flow.fakes import FakePrinter
from kiosk.flow.identify import identity_from_card
from kiosk.flow.records import PresentedIdentity
from kiosk_hub.bhxh.demo_cards import DEMO_CARDS, DemoCard


class DemoClock:
    """Today at 09:00 in Hà Nội when the demo starts (departments open), moving with real time, plus any skips."""

    def __init__(self) -> None:
        today = datetime.now(VN_TZ).date()
        self._start_wall = datetime(today.year, today.month, today.day, 9, 0, tzinfo=VN_TZ)
        self._start = time.monotonic()
        self.skipped = 0.0

    def monotonic(self) -> float:
        return time.monotonic() - self._start + self.skipped

    def wall(self) -> datetime:
        return self._start_wall + timedelta(seconds=self.monotonic())

    def skip(self, seconds: float) -> None:
        self.skipped += seconds


@dataclass
class DemoPrinter(FakePrinter):
    """Keeps what it printed; with `pictures`, also saves each ticket and slip as the paper would look."""

    pictures: Path | None = None
    saved: list[Path] = field(default_factory=list)

    async def print_ticket(self, ticket: QueueTicket) -> None:
        await super().print_ticket(ticket)
        self._picture("ticket", ticket)

    async def print_desk_slip(self, slip: DeskSlip) -> None:
        await super().print_desk_slip(slip)
        self._picture("desk-slip", slip)

    def _picture(self, kind: str, paper: QueueTicket | DeskSlip) -> None:
        if self.pictures is None:
            return
        from kiosk.hardware.printer.blocks import PaperWidth
        from kiosk.hardware.printer.preview import render_preview
        from kiosk.hardware.printer.ticket_layout import desk_slip_blocks, ticket_blocks

        if isinstance(paper, QueueTicket):
            blocks = ticket_blocks(paper, PaperWidth.MM80)
        else:
            blocks = desk_slip_blocks(paper, PaperWidth.MM80)
        path = self.pictures / f"paper-{len(self.saved) + 1:02d}-{kind}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        render_preview(blocks, PaperWidth.MM80).image.save(path)
        self.saved.append(path)


@dataclass
class Devices:
    """The demo's simulated devices as the walkthrough handles them."""

    printer: DemoPrinter
    reader: Any  # FakeChipReader
    bridge: Any  # ChipBridge


def demo_card(code: str, nth: int = 0) -> DemoCard:
    """The nth demo card made to answer `code` (several 000 cards: adult, aged, child, merit)."""
    return [c for c in DEMO_CARDS if c.result_code == code][nth]


def _dob(card: DemoCard) -> date:
    return date.fromisoformat(card.iso_date_of_birth)


def chip_identity(card: DemoCard) -> PresentedIdentity:
    """What the chip reader hands the flow for this card's owner (their CCCD chip)."""
    return identity_from_card(chip_card(card))


def cccd_qr_text(card: DemoCard) -> str:
    sex = Sex.MALE if card.sex == "1" else Sex.FEMALE
    issued = max(_dob(card), date(2021, 8, 15))
    qr = CccdQr(card.id_number, None, card.full_name, _dob(card), sex, "Số 1 Đường Demo, Hà Nội", issued)
    return format_cccd_qr(qr)


def bhyt_qr_text(card: DemoCard) -> str:
    born = _dob(card)
    qr = BhytQr(
        card_code=card.card_code,
        full_name=card.full_name,
        date_of_birth=PartialDate(born.year, born.month, born.day),
        sex=Sex.MALE if card.sex == "1" else Sex.FEMALE,
        address="Số 1 Đường Demo, Hà Nội",
        registered_facility=card.registered_facility,
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        issue_date=date(2026, 1, 1),
        five_year_date=date(2024, 1, 1),
        guardian_name=None,
    )
    return format_bhyt_qr(qr)


def chip_card(card: DemoCard) -> CardRead:
    """What a chip read of this card's owner's CCCD returns (as the simulated reader holds it)."""
    born = _dob(card)
    return CardRead(
        document_number=card.id_number[-9:],
        id_number=card.id_number,
        full_name=card.full_name,
        date_of_birth=born,
        sex=Sex.MALE if card.sex == "1" else Sex.FEMALE,
        nationality="Việt Nam",
        ethnicity="Kinh",
        religion=None,
        place_of_origin="Hà Nội",
        place_of_residence="Số 1 Đường Demo, Hà Nội",
        identifying_marks=None,
        issue_date=max(born, date(2021, 8, 15)),
        expiry_date=None,
        father_name=None,
        mother_name=None,
        spouse_name=None,
        old_id_number=None,
        passive_auth=PassiveAuthResult(hashes_ok=True, signature=SignatureStatus.NO_TRUST_ANCHOR),
        stats=ReadStats(apdu_count=0, bytes_sent=0, bytes_received=0, elapsed_ms=0.0, key_tries=1),
    )
