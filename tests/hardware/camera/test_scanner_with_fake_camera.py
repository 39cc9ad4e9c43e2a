"""The scanner thread driven by the fake camera through the real decode pipeline: scans, repeats, faults, idleness."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from kiosk.hardware.camera.fake_camera import FakeCamera
from kiosk.hardware.camera.pipeline_adapter import build_pipeline
from kiosk.hardware.camera.port import CameraSettings, CameraStatus
from kiosk.hardware.camera.preview_adapter import make_preview
from kiosk.hardware.camera.scanner import CameraScanner
from tests.hardware.camera.qr_images import CCCD_QR, bgr, blank_frame, on_frame, qr_picture

SETTINGS = CameraSettings(fps=30, retry_s=0.05, preview_fps=20, repeat_window_s=3.0)
CARD = bgr(on_frame(qr_picture(CCCD_QR)))
PHONE = bgr(on_frame(qr_picture("BV:LICHHEN:12345678")))


def _scanner(camera: FakeCamera) -> CameraScanner:
    return CameraScanner(camera, build_pipeline(), SETTINGS, make_preview=make_preview)


def _camera_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "camera-worker"]


async def _scans_for(scanner: CameraScanner, seconds: float) -> list[str]:
    found: list[str] = []
    try:
        async with asyncio.timeout(seconds):
            while True:
                found.append((await scanner.next_scan()).payload)
    except TimeoutError:
        return found


async def test_a_card_held_up_for_many_frames_is_one_scan_with_a_preview() -> None:
    camera = FakeCamera([blank_frame()] * 3 + [CARD] * 20 + [blank_frame()] * 3, fps=30)
    scanner = _scanner(camera)
    scanner.start()
    async with asyncio.timeout(5):
        first = await scanner.next_scan()
    assert first.payload == CCCD_QR
    assert await _scans_for(scanner, 0.6) == []  # the rest of the frames showing it are repeats
    preview = scanner.preview()
    assert preview is not None
    assert preview.width == SETTINGS.preview_width
    assert len(preview.rgb) == preview.width * preview.height * 3
    await scanner.stop()
    assert scanner.counters.decoded >= 10


async def test_two_different_codes_are_two_scans() -> None:
    scanner = _scanner(FakeCamera([CARD] * 5 + [PHONE] * 5, fps=30))
    scanner.start()
    found = await _scans_for(scanner, 1.0)
    await scanner.stop()
    assert found[:2] == [CCCD_QR, "BV:LICHHEN:12345678"]
    assert len(found) == 2


async def test_unplugged_camera_is_recovered_without_restart() -> None:
    camera = FakeCamera([blank_frame()], fps=30)
    scanner = _scanner(camera)
    scanner.start()
    async with asyncio.timeout(5):
        await scanner.wait_for_status(CameraStatus.SCANNING)
        camera.unplug()
        await scanner.wait_for_status(CameraStatus.UNAVAILABLE)
        camera.replug()
        await scanner.wait_for_status(CameraStatus.SCANNING)
    assert camera.opens == 2
    assert scanner.counters.reconnects == 1
    await scanner.stop()


async def test_no_camera_at_start_reports_unavailable_then_finds_it() -> None:
    camera = FakeCamera([CARD], fps=30, plugged_in=False)
    scanner = _scanner(camera)
    scanner.start()
    async with asyncio.timeout(5):
        await scanner.wait_for_status(CameraStatus.UNAVAILABLE)
        camera.replug()
        assert (await scanner.next_scan()).payload == CCCD_QR
    assert scanner.status is CameraStatus.SCANNING
    await scanner.stop()


async def test_nothing_runs_and_no_frame_is_grabbed_when_no_screen_scans() -> None:
    camera = FakeCamera([blank_frame()], fps=30)
    scanner = _scanner(camera)
    await asyncio.sleep(0.2)
    assert camera.grabs == 0
    assert not _camera_threads()
    scanner.start()
    scanner.start()  # a second request while scanning changes nothing
    async with asyncio.timeout(5):
        await scanner.wait_for_status(CameraStatus.SCANNING)
    await asyncio.sleep(0.2)
    assert len(_camera_threads()) == 1
    await scanner.stop()
    grabs_after_stop = camera.grabs
    cpu_before = time.process_time()
    await asyncio.sleep(0.5)
    assert camera.grabs == grabs_after_stop
    assert not _camera_threads()
    assert not camera.is_open
    assert scanner.status is CameraStatus.IDLE
    assert scanner.preview() is None
    # Loose on purpose (other tests' threads share this process): a spinning camera thread would use it all.
    assert time.process_time() - cpu_before < 0.25


async def test_stale_frames_are_skipped_while_decoding_is_slow() -> None:
    camera = FakeCamera([CARD], fps=100)
    pipeline = build_pipeline()
    slow_first = pipeline.first

    def slow(grey):  # type: ignore[no-untyped-def]
        time.sleep(0.05)  # five frame periods
        return slow_first(grey)

    pipeline.first = slow
    scanner = CameraScanner(camera, pipeline, CameraSettings(fps=100), make_preview=None)
    scanner.start()
    await asyncio.sleep(0.6)
    await scanner.stop()
    # Decoding keeps up with about one frame in five; a frame that waited while we decoded is dropped unread.
    assert scanner.counters.decoded <= 15
    assert scanner.counters.skipped_stale >= 1
    assert camera.grabs == scanner.counters.decoded + scanner.counters.skipped_stale


@pytest.mark.parametrize("frames", [[], None])
def test_fake_camera_needs_frames(frames: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        FakeCamera(frames)  # type: ignore[arg-type]


async def test_leaving_and_coming_back_to_the_scan_screen_scans_the_same_card_again() -> None:
    camera = FakeCamera([CARD], fps=30)
    scanner = _scanner(camera)
    for _ in range(2):  # a new patient (or the same one again) starts a new repeat window
        scanner.start()
        async with asyncio.timeout(5):
            assert (await scanner.next_scan()).payload == CCCD_QR
        await scanner.stop()
        assert not _camera_threads()
    assert camera.opens == 2


async def test_news_from_a_stopped_thread_is_ignored() -> None:
    camera = FakeCamera([CARD], fps=30)
    pipeline = build_pipeline()
    real_first = pipeline.first
    decoding = threading.Event()

    def slow(grey):  # type: ignore[no-untyped-def]
        decoding.set()
        time.sleep(0.3)  # the screen is left while this frame is decoded
        return real_first(grey)

    pipeline.first = slow
    scanner = CameraScanner(camera, pipeline, SETTINGS)
    scanner.start()
    await asyncio.to_thread(decoding.wait, 5)
    await scanner.stop()
    await asyncio.sleep(0.1)
    assert scanner.status is CameraStatus.IDLE
    scanner.start()
    pipeline.first = real_first
    async with asyncio.timeout(5):
        await scanner.wait_for_status(CameraStatus.SCANNING)
        assert (await scanner.next_scan()).payload == CCCD_QR
    await scanner.stop()
