"""A kill at any moment of a config write leaves a complete, loadable file: old or new, never a mix."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.remote_config.store import ConfigStore, atomic_write
from tests.remote_config.conftest import config_with, sign

REPO = Path(__file__).resolve().parents[2]

# Writes ~2 MB signed documents (many trust anchors make each write take a while) until killed.
WRITER = """
import sys, base64
from pathlib import Path
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kiosk.remote_config.store import ConfigStore
from tests.remote_config.conftest import config_with, sign
store = ConfigStore(Path(sys.argv[1]))
key = Ed25519PrivateKey.generate()
version = 2
print("writing", flush=True)
while True:
    logo = base64.b64encode(bytes([version % 251]) * 29_000).decode()
    anchors = ["-----BEGIN CERTIFICATE-----" + chr(65 + version % 26) * 40_000] * 50
    store.write_current(sign(key, version, config_with(ticket__logo_png_base64=logo, trust_anchors_pem=anchors)))
    version += 1
"""


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.05, 0.13, 0.31, 0.57])
def test_a_sigkill_during_writes_leaves_a_loadable_config(tmp_path: Path, delay: float) -> None:
    store = ConfigStore(tmp_path)
    first = sign(Ed25519PrivateKey.generate(), 1, config_with())
    store.write_current(first)
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE, env={**os.environ}
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"writing\n"
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    document = store.current()
    assert document is not None, "the current file must still load"
    assert document.version >= 1
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # A temp file may survive the kill; it is never the file that gets loaded.
    assert all(name.startswith(".current.json.") for name in leftovers)


def test_a_plain_overwrite_killed_midway_would_have_been_unreadable(tmp_path: Path) -> None:
    # Shows what the atomic write protects against: a truncated file does not load, and the store says so.
    store = ConfigStore(tmp_path)
    store.write_current(sign(Ed25519PrivateKey.generate(), 1, config_with()))
    whole = (tmp_path / "current.json").read_bytes()
    (tmp_path / "current.json").write_bytes(whole[: len(whole) // 2])
    assert store.current() is None
    assert store.last_good() is None


def test_atomic_write_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    atomic_write(target, b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.json"]
