"""The property tests run derandomised unless someone asks to explore: the same examples on every CI run."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from tests.domain.strategies import FAST
from tests.hardware.chip.test_fake_and_fuzz import FUZZ

pytestmark = pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci", reason="another hypothesis profile was asked for"
)


def test_the_default_profile_is_derandomised_with_no_database_and_no_deadline() -> None:
    assert settings.default.derandomize
    assert settings.default.database is None
    assert settings.default.deadline is None


@pytest.mark.parametrize("module_settings", [FAST, FUZZ], ids=["domain", "chip-fuzz"])
def test_settings_made_by_test_modules_inherit_the_profile(module_settings: settings) -> None:
    # A `settings(...)` object built before the profile was loaded would keep hypothesis' random default.
    assert module_settings.derandomize
