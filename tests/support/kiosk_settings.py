"""Settings files for tests that start `kiosk run`: the demo example (simulated devices, embedded hub, demo = true)
drawn offscreen, since a test has no panel (the production default never draws offscreen by itself)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEMO_EXAMPLE = REPO / "config" / "kiosk.demo.toml"
PRODUCTION_EXAMPLE = REPO / "config" / "kiosk.example.toml"


def demo_settings_text(driver: str = "offscreen") -> str:
    text = DEMO_EXAMPLE.read_text(encoding="utf-8")
    assert 'video_driver = "auto"' in text
    return text.replace('video_driver = "auto"', f'video_driver = "{driver}"')


def write_demo_settings(path: Path, extra: str = "", driver: str = "offscreen") -> Path:
    path.write_text(demo_settings_text(driver) + extra, encoding="utf-8")
    return path
