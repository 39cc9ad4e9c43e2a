"""Camera frames made from QR payloads: an ID card or BHYT card held up under lobby conditions, or a phone screen.

Used by the benchmark, the tests and the demo's fake camera, so the pipeline is exercised on the three kinds of
QR a patient shows without any real photo in the repository. Pillow and numpy only.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFilter

FRAME_SIZE = (1280, 720)
Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]

_NAMES = ["Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Phúc", "Phạm Thị Hương", "Đặng Quốc Việt", "Võ Thị Ánh"]
_PLACES = ["Số 12 Phố Huế, Hai Bà Trưng, Hà Nội", "Ấp Phước Lộc, Xã Đức Hòa, Long An", "Phường Vĩnh Ninh, Huế"]


def cccd_payload(rng: random.Random) -> str:
    """A citizen-ID card QR: id|old CMND|name|dob|sex|address|issue date (UTF-8, NFC)."""
    id12 = "0" + "".join(rng.choice("0123456789") for _ in range(11))
    cmnd = "".join(rng.choice("0123456789") for _ in range(9))
    dob = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(1940, 2010)}"
    return f"{id12}|{cmnd}|{rng.choice(_NAMES)}|{dob}|{rng.choice(['Nam', 'Nữ'])}|{rng.choice(_PLACES)}|15082021"


def bhyt_payload(rng: random.Random) -> str:
    """A BHYT card QR: card code, name and address as hex of UTF-8, dates, ends with `$`."""
    code = rng.choice(["HS4", "DN4", "TE1", "HT3"]) + "01" + "".join(rng.choice("0123456789") for _ in range(10))
    name = rng.choice(_NAMES).encode().hex().upper()
    place = rng.choice(_PLACES).encode().hex().upper()
    return f"{code}|{name}|01/01/1985|1|{place}|01 - 043|01/01/2026|31/12/2026|01/01/2026|-|-|4|1|01/01/2021|a1b2c3|$"


def appointment_payload(rng: random.Random) -> str:
    """A hospital appointment code as a phone shows it."""
    return f"BV:LICHHEN:{rng.randint(10**7, 10**8 - 1)}:20261124:0815:K{rng.randint(1, 40):02d}"


def qr_image(payload: str, module_px: int, *, dark: int = 0, light: int = 255) -> Image.Image:
    """The QR as a grey image, `module_px` pixels per module, with its 4-module quiet zone."""
    qr = segno.make_qr(payload, error="m")
    rows = np.array(list(qr.matrix_iter(scale=1, border=4)), dtype=bool)
    pixels = np.where(rows, dark, light).astype(np.uint8)
    return Image.fromarray(pixels, "L").resize((rows.shape[1] * module_px,) * 2, Image.Resampling.NEAREST)


def _perspective_coeffs(dst: Quad, src_size: tuple[int, int]) -> list[float]:
    # Pillow wants the map from output (frame) points back to input (card) points.
    w, h = src_size
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return [float(c) for c in np.linalg.solve(np.array(rows, float), np.array(rhs, float))]


def _background(rng: random.Random) -> Image.Image:
    base = np.linspace(rng.randint(60, 120), rng.randint(130, 190), FRAME_SIZE[0], dtype=np.float32)
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 6, (FRAME_SIZE[1], FRAME_SIZE[0]))
    return Image.fromarray(np.clip(base[None, :] + noise, 0, 255).astype(np.uint8), "L")


def empty_scene(rng: random.Random) -> Image.Image:
    """The lobby with nobody holding anything up."""
    return _background(rng)


def _card(payload: str, rng: random.Random, *, contrast: float = 1.0) -> Image.Image:
    card = Image.new("L", (540, 340), 235)
    draw = ImageDraw.Draw(card)
    for line in range(6):  # printed text lines, so the card is not a clean QR on white
        y = 40 + line * 40
        draw.rectangle((200, y, 200 + rng.randint(150, 300), y + 10), fill=90)
    dark, light = (0, 235) if contrast >= 1 else (int(235 * (1 - contrast)), 235)
    qr = qr_image(payload, 3, dark=dark, light=light)
    card.paste(qr, (20, (340 - qr.height) // 2))
    return card


def _place(frame: Image.Image, item: Image.Image, quad: Quad) -> Image.Image:
    warped = item.transform(FRAME_SIZE, Image.Transform.PERSPECTIVE, _perspective_coeffs(quad, item.size))
    mask = Image.new("L", item.size, 255).transform(
        FRAME_SIZE, Image.Transform.PERSPECTIVE, _perspective_coeffs(quad, item.size)
    )
    frame.paste(warped, (0, 0), mask)
    return frame


def _quad(rng: random.Random, width: float, height: float, skew: float) -> Quad:
    cx, cy = rng.randint(500, 780), rng.randint(300, 420)
    corners = [
        (cx + sx * width / 2 + rng.uniform(-skew, skew), cy + sy * height / 2 + rng.uniform(-skew, skew))
        for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))
    ]
    return (corners[0], corners[1], corners[2], corners[3])


def _glare(frame: Image.Image, rng: random.Random, quad: Quad) -> Image.Image:
    # A lamp's reflection on a laminated card: a bright soft ellipse over part of the code.
    arr = np.asarray(frame, np.float32)
    yy, xx = np.mgrid[0 : FRAME_SIZE[1], 0 : FRAME_SIZE[0]]
    gx = quad[0][0] + rng.uniform(40, 160)
    gy = (quad[0][1] + quad[3][1]) / 2 + rng.uniform(-40, 40)
    spot = np.exp(-(((xx - gx) / rng.uniform(30, 60)) ** 2 + ((yy - gy) / rng.uniform(50, 90)) ** 2))
    return Image.fromarray(np.clip(arr + spot * 255 * rng.uniform(0.9, 1.2), 0, 255).astype(np.uint8), "L")


def _phone(payload: str, rng: random.Random) -> Image.Image:
    # A phone screen: dark body, lit screen, the code shown large, pixel grid and interference stripes (moiré).
    frame = _background(rng)
    dark_mode = rng.random() < 0.5  # phones in dark mode show the code light on dark
    screen = Image.new("L", (300, 560), 20 if dark_mode else 250)
    qr = qr_image(payload, 6, dark=230 if dark_mode else 30, light=20 if dark_mode else 250)
    screen.paste(qr, ((300 - qr.width) // 2, 150))
    arr = np.asarray(screen, np.float32)
    yy, xx = np.mgrid[0 : arr.shape[0], 0 : arr.shape[1]]
    angle = rng.uniform(0.1, 0.5)
    stripes = 1 + 0.25 * np.sin((xx * np.cos(angle) + yy * np.sin(angle)) * rng.uniform(1.2, 2.2))
    arr = arr * stripes * (0.85 + 0.15 * ((xx % 3) == 0))
    screen = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    body = Image.new("L", (330, 620), 20)
    body.paste(screen, (15, 30))
    w, h = 300 * rng.uniform(0.95, 1.15), 620 * rng.uniform(0.95, 1.1)
    quad = _quad(rng, w, h * 0.9, 25)
    return _place(frame, body, quad).filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.2)))


def card_scene(
    payload: str, rng: random.Random, *, skew: float = 10, blur: float = 0.5, glare: bool = False, contrast: float = 1.0
) -> Image.Image:
    """A card held up to the camera, warped by `skew` pixels per corner."""
    frame = _background(rng)
    quad = _quad(rng, 540 * rng.uniform(0.9, 1.1), 340 * rng.uniform(0.9, 1.1), skew)
    frame = _place(frame, _card(payload, rng, contrast=contrast), quad)
    if glare:
        frame = _glare(frame, rng, quad)
    return frame.filter(ImageFilter.GaussianBlur(blur)) if blur else frame


@dataclass(frozen=True)
class Scene:
    """One generated frame with the payload it shows."""

    category: str
    payload: str
    image: Image.Image


SceneMaker = Callable[[random.Random], Scene]


def _make(category: str, payload_of: Callable[[random.Random], str], **card: float | bool) -> SceneMaker:
    def make(rng: random.Random) -> Scene:
        payload = payload_of(rng)
        return Scene(category, payload, card_scene(payload, rng, **card))  # type: ignore[arg-type]

    return make


def _phone_scene(rng: random.Random) -> Scene:
    payload = appointment_payload(rng)
    return Scene("gen_phone_moire", payload, _phone(payload, rng))


SCENES: dict[str, SceneMaker] = {
    "gen_cccd_perspective": _make("gen_cccd_perspective", cccd_payload, skew=70),
    "gen_bhyt_blur": _make("gen_bhyt_blur", bhyt_payload, blur=1.1),
    "gen_cccd_glare": _make("gen_cccd_glare", cccd_payload, glare=True),
    "gen_bhyt_low_contrast": _make("gen_bhyt_low_contrast", bhyt_payload, contrast=0.25),
    "gen_phone_moire": _phone_scene,
}


def generated_set(per_category: int, seed: int = 7) -> list[Scene]:
    """`per_category` frames of each generated category, the same for a given seed."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test scenes, not secrets
    return [make(rng) for make in SCENES.values() for _ in range(per_category)]
