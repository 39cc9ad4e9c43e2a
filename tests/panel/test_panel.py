"""The panel: which driver `auto` picks, never offscreen unless the settings say so, the size and rotation laid out
from the display or the settings, and the frames counted for the heartbeat (a dark panel is never green)."""

from __future__ import annotations

import pytest

from kiosk.panel import Panel, PanelUnavailableError, choose_driver, plan_panel
from kiosk.remote_config.schema import DeviceState
from kiosk.runtime.display import PROOF_OF_LIFE_S, DisplayMonitor
from kiosk.settings import ScreenSettings


@pytest.mark.parametrize(
    ("configured", "env", "driver"),
    [
        ("auto", {}, "kmsdrm"),  # systemd's environment: no DISPLAY, the panel straight from the kernel
        ("auto", {"DISPLAY": ":0"}, "x11"),  # inside weston's session, through Xwayland
        ("auto", {"WAYLAND_DISPLAY": "wayland-0"}, "x11"),  # Kivy's SDL has no wayland driver: Xwayland is needed
        ("kmsdrm", {"DISPLAY": ":0"}, "kmsdrm"),
        ("offscreen", {}, "offscreen"),  # only when asked
    ],
)
def test_auto_picks_a_panel_driver_and_never_offscreen(configured: str, env: dict[str, str], driver: str) -> None:
    assert choose_driver(configured, env)[0] == driver


def test_without_wayland_support_the_reason_says_to_start_xwayland() -> None:
    assert "Xwayland" in choose_driver("auto", {"WAYLAND_DISPLAY": "wayland-0"})[1]


def test_offscreen_takes_the_configured_size_and_rotation_turns_the_window() -> None:
    portrait = plan_panel(ScreenSettings(video_driver="offscreen"), {})
    assert (portrait.size, portrait.window, portrait.landscape) == ((1080, 1920), (1080, 1920), False)
    turned = plan_panel(ScreenSettings(video_driver="offscreen", width=1080, height=1920, rotation=90), {})
    assert (turned.size, turned.window) == ((1080, 1920), (1920, 1080))  # a landscape panel mounted upright
    wide = plan_panel(ScreenSettings(video_driver="offscreen", orientation="landscape"), {})
    assert (wide.size, wide.landscape) == ((1920, 1080), True)


def test_a_driver_that_cannot_open_says_why_in_both_languages() -> None:
    with pytest.raises(PanelUnavailableError) as caught:
        plan_panel(ScreenSettings(video_driver="x11"), {})  # no X server: DISPLAY is not set
    line = caught.value.log_line()
    assert line.startswith("Không mở được màn hình (trình điều khiển x11) / cannot open the panel")
    assert "DISPLAY is not set" in line
    assert "\n" not in line


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_heartbeat_counts_frames_and_a_panel_that_stops_drawing_turns_red() -> None:
    clock = Clock()
    monitor = DisplayMonitor(Panel("kmsdrm", (1080, 1920), 0, "auto", "auto: no DISPLAY"), clock)
    assert monitor.state() is DeviceState.UNKNOWN  # before the first frame is due
    for _ in range(30):
        monitor.frame_drawn()
        clock.now += 1
    report = monitor.report()
    assert (report.driver, report.width, report.height, report.frames_last_minute) == ("kmsdrm", 1080, 1920, 30)
    assert monitor.state() is DeviceState.OK
    clock.now += 61  # a minute without a frame, though one is asked for every PROOF_OF_LIFE_S
    assert monitor.report().frames_last_minute == 0
    assert monitor.state() is DeviceState.FAULT
    assert PROOF_OF_LIFE_S < 60


def test_drawing_offscreen_is_never_green_however_many_frames() -> None:
    clock = Clock()
    monitor = DisplayMonitor(Panel("offscreen", (1080, 1920), 0, "auto", "settings"), clock)
    monitor.frame_drawn()
    assert monitor.state() is DeviceState.MISSING
