"""`kiosk speak`: run as hospital IT would (the installed command, in a subprocess), writing real WAV files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.speech.audio import read_wav

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is a Debian package of the kiosk")
REPO = Path(__file__).resolve().parents[2]
INSTALLED = REPO / ".venv" / "bin" / "kiosk"


def _run(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(INSTALLED)] if INSTALLED.exists() else [sys.executable, "-m", "kiosk"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [*command, "speak", *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60
    )


def test_speak_writes_a_vietnamese_wav_with_numbers_as_words(tmp_path: Path) -> None:
    out = tmp_path / "ticket.wav"
    done = _run("Số thứ tự 12, phòng 101", "--wav", str(out))
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["text"] == "Số thứ tự mười hai, phòng một trăm linh một"
    assert answer["voice"] == "vi"
    assert answer["bytes"] == out.stat().st_size
    assert read_wav(out).rms > 0.02


def test_speak_in_english_differs_from_vietnamese(tmp_path: Path) -> None:
    vi, en = tmp_path / "vi.wav", tmp_path / "en.wav"
    assert _run("Room 101", "--wav", str(vi)).returncode == 0
    done = _run("Room 101", "--lang", "en", "--wav", str(en))
    assert json.loads(done.stdout)["text"] == "Room one hundred one"
    assert read_wav(vi).samples != read_wav(en).samples


def test_speak_plays_through_the_configured_player(tmp_path: Path) -> None:
    played = tmp_path / "played.wav"
    done = _run("Xin chào", "--player", f"sox -q -t wav - {played}")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["audio_bytes"] > 10_000
    assert answer["first_audio_ms"] is not None
    assert read_wav(played).rms > 0.02


def test_a_player_that_fails_is_reported_not_hidden() -> None:
    # What IT sees on a kiosk whose sound card is missing: aplay exits with an error.
    done = _run("Xin chào", "--player", f"{sys.executable} -c 'import sys; sys.exit(3)'")
    assert done.returncode == 1
    assert "exit status 3" in json.loads(done.stdout)["error"]


def test_speak_without_espeak_answers_with_an_error(tmp_path: Path) -> None:
    done = _run("Xin chào", "--wav", str(tmp_path / "x.wav"), path=str(tmp_path))
    if INSTALLED.exists():
        assert done.returncode == 1
        assert "espeak-ng" in json.loads(done.stdout)["error"]
    else:
        pytest.skip("without the installed command, an empty PATH also hides the interpreter")
