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
