"""Headphone-jack detection: amixer's output parsed, and the watcher run against an amixer stand-in process."""

from __future__ import annotations

import queue
import shutil
import time
from pathlib import Path

import pytest

from kiosk.speech.jack_adapter import HeadphoneJackWatcher, JackSettings, parse_jack_state, read_jack

# `amixer -c 0 cget iface=CARD,name='Headphone Jack'` on an HDA Intel codec, plug in and out.
PLUGGED = "numid=18,iface=CARD,name='Headphone Jack'\n  ; type=BOOLEAN,access=r-------,values=1\n  : values=on\n"
UNPLUGGED = PLUGGED.replace(": values=on", ": values=off")


def test_amixer_output_is_read_as_plugged_or_not() -> None:
    assert parse_jack_state(PLUGGED) is True
    assert parse_jack_state(UNPLUGGED) is False
    assert parse_jack_state("numid=3,iface=MIXER,name='Master Playback Volume'\n  : values=87,87\n") is None
    assert parse_jack_state("") is None


def fake_amixer(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An `amixer` that answers like an HDA card from a state file, and notes how it was called."""
    state, calls = tmp_path / "jack_state", tmp_path / "amixer_calls"
    script = tmp_path / "amixer"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {calls}\n'
        f'[ -f {state} ] || {{ echo "amixer: Cannot find the given element" >&2; exit 1; }}\n'
        "echo \"numid=18,iface=CARD,name='Headphone Jack'\"\n"
        'echo "  ; type=BOOLEAN,access=r-------,values=1"\n'
        f'echo "  : values=$(cat {state})"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script, state, calls


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell for the amixer stand-in")
def test_read_jack_asks_the_configured_card_and_control(tmp_path: Path) -> None:
    amixer, state, calls = fake_amixer(tmp_path)
    settings = JackSettings(card="1", control="Headphones Jack", amixer=str(amixer))
    assert read_jack(settings) is None  # the control does not exist (yet)
    state.write_text("on", encoding="utf-8")
    assert read_jack(settings) is True
    assert calls.read_text(encoding="utf-8").splitlines()[-1] == "-c 1 cget iface=CARD,name=Headphones Jack"
    assert read_jack(JackSettings(amixer=str(tmp_path / "missing"))) is None


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell for the amixer stand-in")
def test_the_watcher_reports_plugging_in_and_out_once_each(tmp_path: Path) -> None:
    amixer, state, calls = fake_amixer(tmp_path)
    state.write_text("off", encoding="utf-8")
    changes: queue.Queue[bool] = queue.Queue()
    watcher = HeadphoneJackWatcher(JackSettings(amixer=str(amixer), poll_s=0.05), changes.put)
    watcher.start()
    try:
        assert changes.get(timeout=5) is False
        state.write_text("on", encoding="utf-8")
        assert changes.get(timeout=5) is True
        state.unlink()  # the control went away: unknown, which is no change
        polled = len(calls.read_text(encoding="utf-8").splitlines())
        while len(calls.read_text(encoding="utf-8").splitlines()) < polled + 2:
            time.sleep(0.02)
        assert changes.empty()
        state.write_text("off", encoding="utf-8")
        assert changes.get(timeout=5) is False
        assert changes.empty()
    finally:
        watcher.stop()
