"""The kiosk's local settings: the example file is valid, and bad files are refused with field-level reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.settings import KioskSettings, SettingsError, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "kiosk.example.toml"


def test_the_example_file_is_the_defaults() -> None:
    assert load_settings(EXAMPLE) == KioskSettings()


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


def test_without_a_file_the_environment_names_the_kiosk_and_its_hub() -> None:
    from kiosk.settings import settings_from_environment

    settings = settings_from_environment({"KIOSK_NAME": "sanh-a-01", "KIOSK_HUB_URL": "https://hub.bv.local"})
    assert (settings.kiosk_name, settings.hub.mode, settings.hub.base_url) == (
        "sanh-a-01",
        "remote",
        "https://hub.bv.local",
    )
    assert settings.hub.token is None  # from the saved credentials, or enrolment with the one-time code
    assert settings_from_environment({}) == KioskSettings()
