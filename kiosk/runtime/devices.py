"""The kiosk's device factory: each device the settings name, built once; `VIRTUAL` (kiosk.hardware.virtual) gives
the simulated one. Device libraries are imported only for a real device, so a kiosk set up with simulated devices
runs without pyscard, OpenCV or python-escpos installed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kiosk.flow.fakes import FakePrinter
from kiosk.hardware.chip.fake import FakeChipReader
from kiosk.hardware.chip.port import ChipReaderPort
from kiosk.hardware.virtual import is_virtual
from kiosk.offline.guarded_printer import GuardedPrinter
from kiosk.remote_config.schema import DeviceState

if TYPE_CHECKING:
    from kiosk.domain.card_read import CardRead
    from kiosk.hardware.camera.scanner import CameraScanner
    from kiosk.speech.jack_adapter import HeadphoneJackWatcher
    from kiosk.speech.settings import SpeechSettings

ConfirmWith = Literal["gs_r", "status_only"]


def printer(uri: str, paper_mm: int, confirm_with: ConfirmWith = "gs_r") -> GuardedPrinter:
    """The ticket printer at `uri`, behind its circuit breaker (a dead printer is not asked again for 15 s).
    `VIRTUAL`: a printer that keeps what it printed, in memory."""
    if is_virtual(uri):
        return GuardedPrinter(FakePrinter())
    from kiosk.hardware.printer.blocks import ConfirmWith as Confirm
    from kiosk.hardware.printer.blocks import PaperWidth, PrinterProfile
    from kiosk.hardware.printer.ticket_printer import EscposTicketPrinter

    paper = PaperWidth.MM58 if paper_mm == 58 else PaperWidth.MM80
    profile = PrinterProfile(paper=paper, confirm_with=Confirm(confirm_with))
    return GuardedPrinter(EscposTicketPrinter.from_uri(uri, profile))


def chip_reader(
    reader_name: str, trust_anchor_paths: list[Path] | None = None, *, read_face: bool = False,
    demo_card: CardRead | None = None,
) -> ChipReaderPort:  # fmt: skip
    """The PC/SC reader of that name (never "the first reader found"); `VIRTUAL`: the fake reader, holding
    `demo_card`."""
    if is_virtual(reader_name):
        return FakeChipReader(demo_card)
    from kiosk.hardware.chip.adapter_pyscard import PcscReaderSettings, PyscardChipReader

    return PyscardChipReader(PcscReaderSettings(reader_name, list(trust_anchor_paths or []), read_face=read_face))


def camera(device: str) -> CameraScanner | None:
    """The QR camera (an OpenCV index or path); `VIRTUAL`: none, the QR comes from the keypad or the demo."""
    if is_virtual(device):
        return None
    from kiosk.hardware.camera.capture_adapter import build_camera_scanner
    from kiosk.hardware.camera.port import CameraSettings

    return build_camera_scanner(CameraSettings(device=int(device) if device.isdigit() else device))


def camera_state(scanner: CameraScanner | None) -> DeviceState:
    if scanner is None:
        return DeviceState.OK  # simulated: nothing to be missing
    from kiosk.hardware.camera.port import CameraStatus

    return DeviceState.MISSING if scanner.status is CameraStatus.UNAVAILABLE else DeviceState.OK


def headphone_jack(speech: SpeechSettings, on_change: Callable[[bool], None]) -> HeadphoneJackWatcher | None:
    """A watcher of the headphone jack when plugging headphones in may switch the voice on; `on_change` runs on the
    watcher's own thread."""
    if "headphones" not in speech.triggers:
        return None
    from kiosk.speech.jack_adapter import HeadphoneJackWatcher

    return HeadphoneJackWatcher(speech.jack(), on_change)
