"""config/kiosk-remote-config.schema.json is generated from the model; this fails when someone forgets to regenerate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli.config import SCHEMA_FILE, schema_text
from kiosk.remote_config.schema import RemoteConfig

REPO = Path(__file__).resolve().parents[2]


def test_the_committed_schema_matches_the_model() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), "run: kiosk config schema --write"


def test_the_cli_prints_the_schema() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "config", "schema"], cwd=REPO, capture_output=True, check=True, timeout=60
    )
    schema = json.loads(out.stdout)
    assert schema["title"] == "RemoteConfig"
    assert "printer" in schema["properties"]


def test_the_defaults_are_a_valid_config_and_vietnamese_cannot_be_removed() -> None:
    assert RemoteConfig.model_validate(RemoteConfig().model_dump(mode="json")) == RemoteConfig()
    bad = RemoteConfig().model_dump(mode="json") | {"languages": ["en"]}
    with pytest.raises(ValueError, match="Vietnamese"):
        RemoteConfig.model_validate(bad)


# What the console saved under version 1: every field filled in, most left at their defaults.
VERSION_1 = {
    "schema_version": 1,
    "printer": {"uri": "usb://auto", "profile": "TM-T20II", "paper_width_mm": 80},
    "camera": {"device": "/dev/kiosk-camera", "width": 1280, "height": 720},
    "idle": {"screen_seconds": 60, "wipe_after_warning_seconds": 15},
    "ticket": {"header_vi": "Bệnh viện Đa khoa Demo", "header_en": "Demo General Hospital"},
}


def test_a_version_1_document_at_its_defaults_leaves_every_kiosk_setting_alone() -> None:
    config = RemoteConfig.model_validate(VERSION_1)
    assert config.schema_version == 3
    assert (config.printer.uri, config.camera.device, config.ticket.header_vi) == (None, None, None)
    assert (config.idle.screen_seconds, config.idle.wipe_after_warning_seconds) == (None, None)


def test_a_version_1_document_keeps_what_it_changed_and_its_warning_floor() -> None:
    changed = VERSION_1 | {
        "printer": {"uri": "tcp://10.0.0.9:9100"},
        "idle": {"screen_seconds": 90, "wipe_after_warning_seconds": 5},  # version 1 applied it as 20 s
    }
    config = RemoteConfig.model_validate(changed)
    assert config.printer.uri == "tcp://10.0.0.9:9100"
    assert (config.idle.screen_seconds, config.idle.wipe_after_warning_seconds) == (90, 20)
    only_screen = RemoteConfig.model_validate(VERSION_1 | {"idle": {"screen_seconds": 90}})
    assert (only_screen.idle.screen_seconds, only_screen.idle.wipe_after_warning_seconds) == (90, 20)


def test_version_2_refuses_a_warning_shorter_than_the_policy_and_reads_a_blank_field_as_unset() -> None:
    with pytest.raises(ValueError, match=r"idle\.wipe_after_warning_seconds"):
        RemoteConfig.model_validate({"idle": {"wipe_after_warning_seconds": 5}})
    blank = RemoteConfig.model_validate({"printer": {"uri": " "}, "idle": {"screen_seconds": ""}})
    assert (blank.printer.uri, blank.idle.screen_seconds) == (None, None)


# What the console saved under version 2: the BHXH lookup officer (a member of staff) went to every kiosk.
VERSION_2 = {
    "schema_version": 2,
    "printer": {"uri": None, "profile": "TM-T20II", "paper_width_mm": 58},
    "lookup_officer": {"name": "Nguyễn Thị Tra Cứu", "id_number": "001190000001"},
}


def test_a_version_2_document_loses_the_lookup_officer_and_keeps_the_rest() -> None:
    config = RemoteConfig.model_validate(VERSION_2)
    assert (config.schema_version, config.printer.paper_width_mm) == (3, 58)
    dumped = config.model_dump_json()
    assert "lookup_officer" not in dumped
    assert "001190000001" not in dumped
    assert "lookup_officer" not in SCHEMA_FILE.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="lookup_officer"):  # a version 3 document cannot carry it
        RemoteConfig.model_validate(RemoteConfig().model_dump(mode="json") | {"lookup_officer": {}})
