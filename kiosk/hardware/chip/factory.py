"""Build the chip reader the configuration names: `VIRTUAL` gives the fake (demo, tests), anything else is a PC/SC
reader name. The PC/SC adapter is imported only when used, so the demo runs without pyscard installed.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.domain.card_read import CardRead
from kiosk.hardware.chip.fake import FakeChipReader
from kiosk.hardware.chip.port import ChipReaderPort

VIRTUAL = "VIRTUAL"


def build_chip_reader(
    reader_name: str,
    trust_anchor_paths: list[Path] | None = None,
    read_face: bool = False,
    demo_card: CardRead | None = None,
) -> ChipReaderPort:
    """The reader for this kiosk; `demo_card` is what the virtual reader holds."""
    if reader_name == VIRTUAL:
        return FakeChipReader(demo_card)
    from kiosk.hardware.chip.adapter_pyscard import PcscReaderSettings, PyscardChipReader

    return PyscardChipReader(PcscReaderSettings(reader_name, list(trust_anchor_paths or []), read_face=read_face))
