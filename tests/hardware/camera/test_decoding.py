"""Real decoding of generated QR pictures through every decoder adapter and the kiosk's pipeline."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
from PIL import Image, ImageFilter

from kiosk.domain.payload import PayloadKind, classify
from kiosk.hardware.camera.capture_adapter import read_image
from kiosk.hardware.camera.decoder_adapters import single_decoders
from kiosk.hardware.camera.pipeline_adapter import build_pipeline
from kiosk.hardware.camera.synthetic_scenes import SCENES, bhyt_payload, generated_set
from tests.hardware.camera.qr_images import CCCD_QR, REAL_PHOTOS, bgr, inverted, on_frame, qr_picture, rotated

PIPELINE = build_pipeline(deadline_s=None)


def payloads(image: Image.Image | np.ndarray) -> list[str]:
    frame = bgr(image) if isinstance(image, Image.Image) else image
    return [code.payload for code in PIPELINE.decode(frame).codes]


@pytest.mark.parametrize("name", ["zxing", "zbar", "opencv", "opencv-aruco"])
def test_each_decoder_reads_vietnamese_text_exactly(name: str) -> None:
    grey = np.asarray(on_frame(qr_picture(CCCD_QR, 5)))
    found = single_decoders()[name](grey)
    assert [code.payload for code in found] == [CCCD_QR]
    assert len(found[0].corners) == 4


def test_payload_is_nfc_even_when_the_code_holds_decomposed_text() -> None:
    decomposed = unicodedata.normalize("NFD", CCCD_QR)
    assert decomposed != CCCD_QR
    assert payloads(on_frame(qr_picture(decomposed))) == [CCCD_QR]


@pytest.mark.parametrize(
    ("label", "make"),
    [
        ("rotated 90", lambda: rotated(qr_picture(CCCD_QR), 90)),
        ("rotated 33", lambda: rotated(qr_picture(CCCD_QR), 33)),
        ("low contrast", lambda: qr_picture(CCCD_QR, dark=150, light=200)),
        ("inverted phone screen", lambda: inverted(qr_picture(CCCD_QR))),
        ("blurred", lambda: qr_picture(CCCD_QR, 5).filter(ImageFilter.GaussianBlur(1.5))),
    ],
)
def test_pipeline_reads_hard_variants(label: str, make: object) -> None:
    assert payloads(on_frame(make())) == [CCCD_QR], label  # type: ignore[operator]


def test_nothing_found_in_a_frame_without_a_code() -> None:
    result = PIPELINE.decode(bgr(Image.new("L", (1280, 720), 128)))
    assert result.codes == []
    assert result.attempts == ("first",)  # no retry is spent on an empty frame


def test_two_codes_in_one_frame_are_both_read() -> None:
    frame = Image.new("L", (1280, 720), 200)
    frame.paste(qr_picture("BV:LICHHEN:1"), (100, 200))
    frame.paste(qr_picture("BV:LICHHEN:2"), (800, 200))
    assert sorted(payloads(frame)) == ["BV:LICHHEN:1", "BV:LICHHEN:2"]


def test_binary_payload_is_handed_on_and_refused_by_the_classifier() -> None:
    raw = bytes(range(256))
    found = payloads(on_frame(qr_picture(raw)))
    assert found == [raw.decode("latin-1")]
    assert classify(found[0]).kind is PayloadKind.UNKNOWN


def test_huge_and_hostile_payloads_are_refused_cleanly() -> None:
    huge = "9" * 2 + "|" + "x" * 1800
    hostile = "'; DROP TABLE patients; --\u202e<script>alert(1)</script>"
    for payload in (huge, hostile):
        found = payloads(on_frame(qr_picture(payload, 3), size=(1280, 960)))
        assert found == [payload]
        assert classify(found[0]).kind is PayloadKind.UNKNOWN


def test_bhyt_qr_round_trips_and_is_classified() -> None:
    import random

    payload = bhyt_payload(random.Random(3))
    assert payloads(on_frame(qr_picture(payload, 3))) == [payload]
    assert classify(payload).kind is PayloadKind.BHYT_QR


def test_generated_scenes_of_every_category_are_read() -> None:
    scenes = generated_set(per_category=2, seed=11)
    assert {scene.category for scene in scenes} == set(SCENES)
    read = sum(scene.payload in payloads(np.asarray(scene.image)) for scene in scenes)
    assert read >= len(scenes) - 1


@pytest.mark.skipif(not REAL_PHOTOS.is_dir(), reason="KIOSK_QR_PHOTOS names no set of real photos")
def test_real_phone_screen_photos() -> None:
    # The README's ground truth: one code per photo in this folder; ZBar alone reads none of them.
    photos = sorted((REAL_PHOTOS / "monitor").glob("*.jpg"))
    assert photos
    found = [payloads(read_image(p)) for p in photos]  # type: ignore[arg-type]
    assert sum(1 for f in found if f) >= len(photos) - 1
    assert payloads(read_image(REAL_PHOTOS / "monitor" / "image001.jpg")) == ["4376471154038"]  # type: ignore[arg-type]
