"""The QR camera runs only while the identify screen asks for a scan: the real scanner thread over the
fake camera and the real decode pipeline, driven by the flow service's session changes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable

import pytest

from kiosk.flow.events import Cancel, QrScanned, StartBenefitLookup, StartCheckIn
from kiosk.flow.fakes import FakeHis, FakePrinter
from kiosk.flow.scan_gate import ScanGate
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.hardware.camera.fake_camera import FakeCamera
from kiosk.hardware.camera.pipeline_adapter import build_pipeline
from kiosk.hardware.camera.port import CameraSettings, CameraStatus
from kiosk.hardware.camera.scanner import CameraScanner
from tests.flow.driver import CONFIG
from tests.hardware.camera.qr_images import CCCD_QR, bgr, blank_frame, on_frame, qr_picture

CARD = bgr(on_frame(qr_picture(CCCD_QR)))


def camera_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "camera-worker" and t.is_alive()]


class Kiosk:
    def __init__(self, camera: FakeCamera) -> None:
        self.camera = camera
        self.scanner = CameraScanner(camera, build_pipeline(), CameraSettings(fps=30, retry_s=0.05))
        self.service = FlowService(CONFIG, FakeHis(), FakePrinter())
        self.scanned: list[str] = []
        self.gate = ScanGate(self.scanner, self._scanned)
        self.service.subscribe(self.gate.follow)

    def _scanned(self, payload: str) -> None:
        self.scanned.append(payload)
        self.service.dispatch(QrScanned.of(payload))

    async def until(self, condition: Callable[[], object], seconds: float = 5.0) -> None:
        for _ in range(int(seconds / 0.02)):
            if condition():
                return
            await asyncio.sleep(0.02)
        raise TimeoutError("the camera did not get there in time")


@pytest.fixture
async def kiosk() -> AsyncIterator[Kiosk]:
    running = Kiosk(FakeCamera([blank_frame()] * 10 + [CARD] * 30, fps=30))
    task = asyncio.ensure_future(running.gate.run())
    yield running
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert camera_threads() == []


async def test_on_home_no_thread_runs_and_no_frame_is_grabbed(kiosk: Kiosk) -> None:
    await asyncio.sleep(0.3)
    assert kiosk.service.session.step == Step.HOME
    assert camera_threads() == []
    assert (kiosk.camera.opens, kiosk.camera.grabs) == (0, 0)
    assert kiosk.scanner.status == CameraStatus.IDLE


async def test_identify_starts_the_camera_a_scan_moves_on_and_the_camera_stops(kiosk: Kiosk) -> None:
    kiosk.service.dispatch(StartCheckIn())
    await kiosk.until(lambda: kiosk.camera.grabs > 0)
    assert len(camera_threads()) == 1
    assert kiosk.gate.scanning
    await kiosk.until(lambda: kiosk.scanned)  # the card's QR, through the real decoder
    assert kiosk.scanned == [CCCD_QR]
    assert kiosk.service.session.step != Step.IDENTIFY  # the patient is identified: the scan screen is left
    await kiosk.until(lambda: not camera_threads())
    assert not kiosk.camera.is_open
    grabbed = kiosk.camera.grabs
    await asyncio.sleep(0.3)
    assert kiosk.camera.grabs == grabbed  # no frame after the scan screen was left
    assert kiosk.scanner.status == CameraStatus.IDLE


async def test_the_benefit_lookup_identify_step_scans_too_and_cancel_stops_it(kiosk: Kiosk) -> None:
    kiosk.service.dispatch(StartBenefitLookup())
    await kiosk.until(lambda: kiosk.camera.grabs > 0)
    kiosk.service.dispatch(Cancel())
    assert kiosk.service.session.step == Step.HOME
    await kiosk.until(lambda: not camera_threads())
    assert not kiosk.gate.scanning
    kiosk.service.dispatch(StartCheckIn())  # the next patient: started again, on the same device
    await kiosk.until(lambda: len(camera_threads()) == 1)
    assert kiosk.camera.opens == 2
