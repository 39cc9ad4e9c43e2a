"""Hypothesis profiles for the whole suite, loaded before any test module builds its own `settings(...)`.

`ci` (the default, and always when `CI` is set): derandomised, so a run draws the same examples every time and a
landing is never blocked by an example that only some runs meet; no example database, no deadline (speed is
measured in `bench/`, not by a timer in a test on two shared cores). `explore` (`HYPOTHESIS_PROFILE=explore`): fresh
random examples on every run, to look for new failures on purpose; a failure found there becomes an `@example`.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", derandomize=False, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_sessionfinish() -> None:
    """The key files test hubs on PostgreSQL kept in temporary directories (tests/support/keys.py)."""
    from tests.support.keys import remove_key_files

    remove_key_files()
