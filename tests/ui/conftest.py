"""Kivy under test: SDL's offscreen driver (real rendering, no screen), no argv parsing, a private KIVY_HOME.

This must run before anything imports kivy, so it sits at the top of the UI tests' conftest. Each module in this
directory runs in its own pytest process (scripts/run_tests.py): Kivy allows one App per process.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ["KIVY_NO_ARGS"] = "1"
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kiosk-ui-kivy-"))
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
