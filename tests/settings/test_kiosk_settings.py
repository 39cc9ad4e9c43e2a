"""The kiosk's local settings: the production example is a kiosk that may serve, the demo example a demo, bad files
are refused with field-level reasons, and simulated devices or the demo hub need `demo = true`."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.settings import KioskSettings, SettingsError, load_settings, refusals
from tests.support.kiosk_settings import DEMO_EXAMPLE, PRODUCTION_EXAMPLE


def test_the_production_example_is_a_remote_kiosk_with_real_devices_that_may_serve() -> None:
    settings = load_settings(PRODUCTION_EXAMPLE)
    assert (settings.demo, settings.hub.mode, settings.screen.video_driver) == (False, "remote", "auto")
    assert "VIRTUAL" not in settings.devices.model_dump().values()
    assert refusals(settings) == []


def test_the_demo_example_says_demo_and_is_therefore_allowed_its_simulated_parts() -> None:
    settings = load_settings(DEMO_EXAMPLE)
    assert (settings.demo, settings.hub.mode, settings.devices.printer) == (True, "embedded", "VIRTUAL")
    assert refusals(settings) == []
    undeclared = settings.model_copy(update={"demo": False})
    assert refusals(undeclared) == [
        "devices.chip_reader is simulated (VIRTUAL)",
        "devices.camera is simulated (VIRTUAL)",
        "devices.printer is simulated (VIRTUAL)",
        "hub.mode is embedded (the demo hub with made-up patients)",
    ]


def test_the_defaults_alone_are_refused_an_installed_kiosk_never_runs_simulated_by_accident() -> None:
    assert len(refusals(KioskSettings())) == 4


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[session]\nwarning_s = 10\n", "session.warning_s"),
        ('[hub]\nmode = "remote"\n', "hub"),
        ('[hub]\nmode = "remote"\nbase_url = "ftp://x"\n', "hub.base_url"),
        ('[devices]\nprinter_uri = "x"\n', "devices.printer_uri"),
        ('[screen]\norientation = "upside-down"\n', "screen.orientation"),
        ('[screen]\nvideo_driver = "wayland"\n', "screen.video_driver"),  # not in Kivy's SDL: Xwayland
        ("[screen]\nwidth = 1080\n", "screen"),  # both or neither
        ("[screen]\nrotation = 45\n", "screen.rotation"),
        ('[hub]\nenrolment_code = "x"\n', "hub.enrolment_code"),
        ("[screen]\nmultisamples = 3\n", "screen.multisamples"),
        ('kiosk_name = "Kiosk 1"\n', "kiosk_name"),
        ("[session\n", "not TOML"),
    ],
)
def test_a_bad_file_names_the_field_and_never_the_secret(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(write(tmp_path, text))
    assert any(problem in p for p in caught.value.problems)


def test_a_remote_hub_keeps_its_token_out_of_reprs(tmp_path: Path) -> None:
    text = '[hub]\nmode = "remote"\nbase_url = "https://hub.bv.local"\ntoken = "kh_secret"\n'
    settings = load_settings(write(tmp_path, text))
    assert settings.hub.token is not None
    assert settings.hub.token.get_secret_value() == "kh_secret"
    assert "kh_secret" not in repr(settings)


def test_a_missing_file_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings(tmp_path / "nope.toml")


def test_landscape_is_supported() -> None:
    assert KioskSettings.model_validate({"screen": {"orientation": "landscape"}}).screen.size == (1920, 1080)
