"""Checks on screenshots: the picture is not blank and is the size of the kiosk's panel."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageStat


def assert_not_blank(path: Path, size: tuple[int, int]) -> None:
    with Image.open(path) as image:
        assert image.size == size
        grey = image.convert("L")
        stat = ImageStat.Stat(grey)
        assert stat.stddev[0] > 20, f"{path.name} looks blank (stddev {stat.stddev[0]:.1f})"
        # Dark text and light background both present: contrast a patient can read.
        low, high = grey.getextrema()
        assert high - low > 180, f"{path.name} has too little contrast ({low}..{high})"
