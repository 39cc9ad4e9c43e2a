"""The announcement a waiting room hears on every call and recall: a chime, then "Mời số 12, đến Phòng khám 3,
tầng 2" in Vietnamese (and English when the area says so), synthesised by Debian's offline espeak-ng on the hub.

Numbers and room names are said as words (the kiosk's own number words, `kiosk.domain.spoken_numbers`); each
announcement is one WAV (chime + speech) cached on disk by its text, so a hundred screens asking for the same call
make one espeak-ng run. The screens play them one after another (their script queues them).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import struct
import subprocess
import tempfile
import threading
import unicodedata
import wave
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.spoken_numbers import number_words, numbers_as_words

RATE = 22050  # espeak-ng's rate: chime, speech and pauses share it, so they are joined without resampling
WORDS_PER_MINUTE = 140  # unhurried: a waiting room is noisy and many patients are elderly


class VoiceUnavailableError(RuntimeError):
    """espeak-ng is missing or failed: the screens still show the call, silently."""


@dataclass(frozen=True)
class Announcement:
    """What is said for one call, per language."""

    vi: str
    en: str | None

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.vi}\n{self.en or ''}".encode()).hexdigest()[:32]


def _number_said(display_number: str, language: str) -> str:
    """ "0012" → "mười hai"; "UT-0003" → "ưu tiên ba" (the priority lane's prefix said, not spelled)."""
    priority = display_number.startswith("UT-")
    number = int("".join(c for c in display_number if c.isdigit()) or "0")
    words = number_words(number, language)
    if priority:
        return f"ưu tiên {words}" if language == "vi" else f"priority {words}"
    return words


def announcement(display_number: str, room: tuple[str, str], where: tuple[str, str], english: bool) -> Announcement:
    """`room` and `where` are (Vietnamese, English) names: the room and its location."""
    vi = f"Mời số {_number_said(display_number, 'vi')}, đến {numbers_as_words(room[0], 'vi')}, " + numbers_as_words(
        where[0], "vi"
    )
    en = None
    if english:
        en = (
            f"Number {_number_said(display_number, 'en')}, please go to {numbers_as_words(room[1], 'en')}, "
            + numbers_as_words(where[1], "en")
        )
    return Announcement(vi, en)


def chime_frames() -> bytes:
    """Two soft tones (ding-dong), 16-bit mono at RATE, each faded out: no click at the start or the end."""
    out = bytearray()
    for frequency, seconds in ((880.0, 0.35), (660.0, 0.5)):
        count = int(RATE * seconds)
        for i in range(count):
            envelope = math.exp(-4.0 * i / count) * min(1.0, i / 200)
            out += struct.pack("<h", int(9000 * envelope * math.sin(2 * math.pi * frequency * i / RATE)))
    return bytes(out)


def silence(seconds: float) -> bytes:
    return b"\x00\x00" * int(RATE * seconds)


class VoiceBox:
    """Renders and caches announcements; one WAV file per text under `cache_dir`."""

    def __init__(self, cache_dir: Path, espeak: str = "espeak-ng") -> None:
        self._dir = cache_dir
        self._espeak = espeak
        self._chime = chime_frames()
        self._rendering: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def path_for(self, said: Announcement) -> Path:
        return self._dir / f"{said.key}.wav"

    def wav(self, said: Announcement) -> Path:
        """The announcement's WAV, rendered once (written under a temporary name, then renamed: a screen never
        reads half a file)."""
        path = self.path_for(said)
        if path.exists():
            return path
        with self._guard:
            lock = self._rendering.setdefault(said.key, threading.Lock())
        with lock:  # a hundred screens asking at once: one renders, the others wait for its file
            if not path.exists():
                self._render(said, path)
        with self._guard:
            self._rendering.pop(said.key, None)
        return path

    def _render(self, said: Announcement, path: Path) -> None:
        frames = self._chime + silence(0.3) + self._speak(said.vi, "vi")
        if said.en:
            frames += silence(0.6) + self._speak(said.en, "en")
        self._dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self._dir, suffix=".part")
        with os.fdopen(handle, "wb") as raw, wave.open(raw, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(frames + silence(0.3))
        os.replace(temporary, path)

    def _speak(self, text: str, language: str) -> bytes:
        spoken = " ".join(unicodedata.normalize("NFC", text).split())
        command = [self._espeak, "-v", language, "-s", str(WORDS_PER_MINUTE), "--stdout"]
        try:
            done = subprocess.run(command, input=spoken.encode(), capture_output=True, check=True, timeout=30)
        except (OSError, subprocess.SubprocessError) as exc:
            raise VoiceUnavailableError(f"espeak-ng could not speak: {exc}") from exc
        with wave.open(io.BytesIO(_fixed_header(done.stdout))) as speech:
            if (speech.getnchannels(), speech.getsampwidth(), speech.getframerate()) != (1, 2, RATE):
                raise VoiceUnavailableError("espeak-ng answered in an unexpected audio format")
            return bytes(speech.readframes(speech.getnframes()))


def _fixed_header(data: bytes) -> bytes:
    """espeak-ng's --stdout WAV is streamed: its header's sizes are placeholders. Put the real ones in."""
    if len(data) < 44 or data[:4] != b"RIFF":
        raise VoiceUnavailableError("espeak-ng wrote no WAV")
    body = len(data) - 44
    return data[:4] + struct.pack("<I", 36 + body) + data[8:40] + struct.pack("<I", body) + data[44:]
