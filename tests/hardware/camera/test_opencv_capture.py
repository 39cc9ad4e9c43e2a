"""The OpenCV capture adapter on real VideoCapture backends: a `frames_%03d.png` sequence and an MJPG video file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import cv2
import pytest

from kiosk.hardware.camera.capture_adapter import OpenCvCamera, build_camera_scanner
from kiosk.hardware.camera.fake_camera import FakeCamera
from kiosk.hardware.camera.pipeline_adapter import build_pipeline
from kiosk.hardware.camera.port import CameraSettings, CameraStatus, CameraUnavailableError
from kiosk.hardware.camera.scanner import CameraScanner
from tests.hardware.camera.qr_images import CCCD_QR, bgr, blank_frame, on_frame, qr_picture

CARD = bgr(on_frame(qr_picture(CCCD_QR)))


def _write_sequence(folder: Path) -> str:
    for i, frame in enumerate([blank_frame()] * 4 + [CARD] * 4):
        assert cv2.imwrite(str(folder / f"frames_{i:03d}.png"), frame)
    return str(folder / "frames_%03d.png")


def _write_video(path: Path) -> str:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, (1280, 720))
    assert writer.isOpened()
    for frame in [blank_frame()] * 5 + [CARD] * 10:
        writer.write(frame)
    writer.release()
    return str(path)


async def _first_scan(settings: CameraSettings) -> tuple[str, CameraStatus]:
    scanner = build_camera_scanner(settings)
    scanner.start()
    try:
        async with asyncio.timeout(10):
            scan = await scanner.next_scan()
        return scan.payload, scanner.status
    finally:
        await scanner.stop()


async def test_image_sequence_played_by_videocapture_is_scanned(tmp_path: Path) -> None:
    settings = CameraSettings(device=_write_sequence(tmp_path), fps=30)
    assert await _first_scan(settings) == (CCCD_QR, CameraStatus.SCANNING)


async def test_video_file_played_by_videocapture_is_scanned(tmp_path: Path) -> None:
    settings = CameraSettings(device=_write_video(tmp_path / "card.avi"), fps=30)
    assert await _first_scan(settings) == (CCCD_QR, CameraStatus.SCANNING)


def test_video_file_reports_its_size_and_loops_paced(tmp_path: Path) -> None:
    camera = OpenCvCamera(CameraSettings(device=_write_video(tmp_path / "card.avi"), fps=60))
    info = camera.open()
    try:
        assert (info.width, info.height) == (1280, 720)
        grabbed = [camera.grab() for _ in range(40)]  # more than the 15 frames in the file: it starts again
        assert all(grabbed)
        frame = camera.retrieve()
        assert frame is not None
        assert frame.shape == (720, 1280, 3)
    finally:
        camera.close()
    assert not camera.grab()


@pytest.mark.parametrize("device", ["/dev/video99", 99, "missing-clip.avi"])
def test_missing_camera_is_unavailable_not_a_crash(device: str | int) -> None:
    with pytest.raises(CameraUnavailableError):
        OpenCvCamera(CameraSettings(device=device)).open()


async def test_scanner_without_a_camera_reports_unavailable(tmp_path: Path) -> None:
    scanner = build_camera_scanner(CameraSettings(device=str(tmp_path / "none.avi"), retry_s=0.05))
    scanner.start()
    async with asyncio.timeout(5):
        await scanner.wait_for_status(CameraStatus.UNAVAILABLE)
    await scanner.stop()
    assert scanner.status is CameraStatus.IDLE


async def test_fake_camera_from_a_recorded_clip_can_be_unplugged(tmp_path: Path) -> None:
    camera = FakeCamera.from_video(Path(_write_video(tmp_path / "card.avi")), fps=30)
    scanner = CameraScanner(camera, build_pipeline(), CameraSettings(retry_s=0.05))
    scanner.start()
    async with asyncio.timeout(10):
        assert (await scanner.next_scan()).payload == CCCD_QR
        camera.unplug()
        await scanner.wait_for_status(CameraStatus.UNAVAILABLE)
        camera.replug()
        await scanner.wait_for_status(CameraStatus.SCANNING)
    await scanner.stop()
