"""`kiosk scan-image` and `kiosk camera check` run as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2

from tests.hardware.camera.qr_images import CCCD_QR, REPO, bgr, blank_frame, inverted, on_frame, qr_picture


def _kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_scan_image_prints_one_json_line_per_file(tmp_path: Path) -> None:
    card = tmp_path / "card.png"
    on_frame(qr_picture(CCCD_QR)).save(card)
    phone = tmp_path / "phone.jpg"
    on_frame(inverted(qr_picture("BV:LICHHEN:42"))).convert("RGB").save(phone, quality=85)
    empty = tmp_path / "empty.png"
    cv2.imwrite(str(empty), blank_frame())
    result = _kiosk("scan-image", str(card), str(phone), str(empty))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(card), str(phone), str(empty)]
    assert [line["payloads"] for line in lines] == [[CCCD_QR], ["BV:LICHHEN:42"], []]
    assert lines[0]["kinds"] == ["cccd_qr"]
    assert all(isinstance(line["ms"], float) for line in lines)
    assert "Nguyễn Thị Ánh Tuyết" in result.stdout  # ensure_ascii=False: Vietnamese as text


def test_scan_image_reports_an_unreadable_file_and_fails(tmp_path: Path) -> None:
    not_an_image = tmp_path / "notes.txt"
    not_an_image.write_text("not a photo")
    result = _kiosk("scan-image", str(not_an_image), str(tmp_path / "missing.png"))
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["error"] for line in lines] == ["unreadable_image", "unreadable_image"]
    assert all(line["payloads"] == [] for line in lines)


def test_camera_check_on_a_recorded_clip_sees_a_code(tmp_path: Path) -> None:
    card = bgr(on_frame(qr_picture(CCCD_QR)))
    for i, frame in enumerate([blank_frame()] * 3 + [card] * 3):
        cv2.imwrite(str(tmp_path / f"frames_{i:03d}.png"), frame)
    result = _kiosk("camera", "check", "--device", str(tmp_path / "frames_%03d.png"), "--seconds", "1.5")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "scanning"
    assert (report["width"], report["height"]) == (1280, 720)
    assert report["code_seen"] is True
    assert report["payload_kinds"] == ["cccd_qr"]
    assert CCCD_QR not in result.stdout  # the check never prints what a card holds
    assert report["frames_decoded"] > 5


def test_camera_check_without_a_camera_says_unavailable() -> None:
    result = _kiosk("camera", "check", "--device", "/dev/video99", "--seconds", "0.5")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["status"] == "unavailable"
    assert report["code_seen"] is False


def test_camera_check_on_the_demo_fake_camera() -> None:
    result = _kiosk("camera", "check", "--device", "VIRTUAL", "--seconds", "3.5")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "scanning"
    assert report["fourcc"] == "FAKE"
    assert report["payload_kinds"] == ["cccd_qr"]  # the card is held up from 2 s to 5 s


def test_camera_check_reads_the_camera_from_the_kiosk_settings(tmp_path: Path) -> None:
    settings = tmp_path / "kiosk.toml"
    example = (REPO / "config" / "kiosk.demo.toml").read_text(encoding="utf-8")
    settings.write_text(example, encoding="utf-8")  # the demo example names the VIRTUAL camera
    result = _kiosk("camera", "check", "--config", str(settings), "--seconds", "0.5")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["fourcc"] == "FAKE"
    settings.write_text("[devices]\ncamera = 3\n", encoding="utf-8")
    result = _kiosk("camera", "check", "--config", str(settings))
    assert result.returncode == 2
    assert json.loads(result.stdout)["status"] == "config_error"
