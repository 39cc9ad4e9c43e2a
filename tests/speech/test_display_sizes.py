"""Type sizes from the panel's physical size: capitals never below 4.8 mm, large text at least twice body text."""

from __future__ import annotations

import pytest

from kiosk.screens.theme import BODY_PX, CAP_HEIGHT, MIN_CAP_MM, theme_for, toggled


@pytest.mark.parametrize("landscape", [False, True])
@pytest.mark.parametrize("diagonal", [15.6, 21.5, 32.0])
def test_no_text_below_4_8_mm_capitals_at_any_panel_size(landscape: bool, diagonal: float) -> None:
    for large in (False, True):
        theme = theme_for(large_text=large, landscape=landscape, diagonal_inches=diagonal)
        for base in (20, 26, 34, 40, 64):  # the smallest sizes any .kv asks for, and body and title
            assert theme.mm(theme.size(base) * CAP_HEIGHT) >= MIN_CAP_MM
            assert theme.mm(theme.chrome(base) * CAP_HEIGHT) >= MIN_CAP_MM


def test_the_same_millimetres_take_fewer_pixels_on_a_bigger_panel_of_the_same_resolution() -> None:
    assert theme_for(diagonal_inches=32).min_font < theme_for(diagonal_inches=21.5).min_font < 30
    assert theme_for().mm(theme_for().px_per_mm * 15) == pytest.approx(15)  # 15 mm ≈ 60 px at 21.5" 1080×1920


@pytest.mark.parametrize("landscape", [False, True])
def test_large_text_at_least_doubles_body_text(landscape: bool) -> None:
    standard, large = theme_for(landscape=landscape), theme_for(large_text=True, landscape=landscape)
    for base in (26, 34, BODY_PX, 46):
        assert large.size(base) >= 2 * standard.size(BODY_PX)
    assert large.size(220) >= standard.size(220)  # the big number does not shrink


def test_toggling_a_mode_keeps_the_panel_and_the_other_mode() -> None:
    start = theme_for(large_text=True, landscape=True, diagonal_inches=32)
    dark = toggled(start, high_contrast=True)
    assert (dark.high_contrast, dark.large_text, dark.landscape) == (True, True, True)
    assert dark.px_per_mm == pytest.approx(start.px_per_mm)
    assert toggled(dark, high_contrast=False) == start


def test_the_panel_size_comes_from_the_kiosk_settings() -> None:
    from kiosk.settings import KioskSettings

    screen = KioskSettings.model_validate({"screen": {"diagonal_inches": 32}}).screen
    big = theme_for(landscape=screen.orientation == "landscape", diagonal_inches=screen.diagonal_inches)
    assert big.px_per_mm == pytest.approx(2.71, abs=0.01)  # 2203 px across a 32" diagonal
    assert big.mm(big.size(26) * CAP_HEIGHT) >= MIN_CAP_MM
