"""The speech port on Debian's offline espeak-ng: one process per utterance, piped to a player or a sink.

espeak-ng writes a streaming WAV on stdout; a pump thread copies it to the player (aplay, paplay, sox's play or a
configured command) so the kiosk knows when the first audio bytes exist and can kill both processes the moment a
new screen needs the voice. Nothing here waits on the UI loop.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from kiosk.speech.port import SpeechError, VolumeSteps

log = logging.getLogger(__name__)

WAV_HEADER_BYTES = 44  # espeak-ng's --stdout header; audio starts after it
_CHUNK = 4096
# The players tried in order when none is configured; each reads a WAV stream on stdin.
KNOWN_PLAYERS: tuple[tuple[str, ...], ...] = (
    ("aplay", "-q", "-"),
    ("paplay",),
    ("play", "-q", "-t", "wav", "-"),
)
AudioSink = Callable[[bytes], None]


@dataclass(frozen=True, slots=True)
class EspeakSettings:
    executable: str = "espeak-ng"
    voices: Mapping[str, str] = field(default_factory=lambda: {"vi": "vi", "en": "en"})
    words_per_minute: int = 150  # slower than espeak's 175: many patients are elderly
    # None: the first known player on PATH; (): no loudspeaker (audio goes only to the sink, e.g. in tests).
    player: tuple[str, ...] | None = None
    volume: VolumeSteps = field(default_factory=VolumeSteps)

    def voice_for(self, language: str) -> str:
        return self.voices.get(language) or self.voices["vi"]


def find_player(settings: EspeakSettings) -> tuple[str, ...]:
    if settings.player is not None:
        return settings.player
    for command in KNOWN_PLAYERS:
        if shutil.which(command[0]):
            return command
    return ()


def espeak_command(settings: EspeakSettings, language: str, amplitude: int, wav: Path | None = None) -> list[str]:
    """The espeak-ng call for one utterance; the text itself goes on stdin (never parsed as an option)."""
    out = ["-w", str(wav)] if wav is not None else ["--stdout"]
    voice = settings.voice_for(language)
    return [settings.executable, "-v", voice, "-s", str(settings.words_per_minute), "-a", str(amplitude), *out]


def spoken_text(text: str) -> str:
    """NFC (one code point per toned vowel, which espeak-ng's Vietnamese rules expect) on a single line."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def render_wav(
    text: str, language: str, path: Path, settings: EspeakSettings | None = None, amplitude: int = 100
) -> Path:
    """Synthesize `text` into a WAV file (for tests, the CLI and recorded prompts)."""
    settings = settings or EspeakSettings()
    command = espeak_command(settings, language, amplitude, wav=path)
    try:
        subprocess.run(command, input=spoken_text(text).encode(), check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SpeechError(f"espeak-ng could not render: {exc}") from exc
    return path


def _write_all(stream: IO[bytes], data: bytes) -> None:
    """All of `data` into an unbuffered pipe (a raw write may take only part of it)."""
    view = memoryview(data)
    while view:
        written = stream.write(view) or 0
        view = view[written:]


class Utterance:
    """One running espeak-ng (and player) process pair, with the moments the kiosk measures."""

    def __init__(
        self,
        engine: subprocess.Popen[bytes],
        player: subprocess.Popen[bytes] | None,
        sink: AudioSink | None,
        text: bytes,
    ) -> None:
        self.started_at = time.perf_counter()
        self.first_audio_at: float | None = None
        self.audio_bytes = 0
        self.interrupted = False
        self.player_exit: int | None = None  # the player's exit status once it is done (non-zero: no sound came out)
        self._engine, self._player, self._sink = engine, player, sink
        self._first_audio = threading.Event()
        self.finished = threading.Event()
        self._pump = threading.Thread(target=self._copy, name="speech-pump", daemon=True)
        self._pump.start()
        # Fed from its own thread: espeak-ng reads its text as it speaks, and a long text would fill the pipe.
        threading.Thread(target=self._feed, args=(text,), name="speech-feed", daemon=True).start()

    def _feed(self, text: bytes) -> None:
        stream = self._engine.stdin
        assert stream is not None
        try:
            _write_all(stream, text)
        except (OSError, ValueError):
            pass  # killed while feeding: an interruption
        finally:
            with contextlib.suppress(OSError):
                stream.close()

    def _copy(self) -> None:
        stream = self._engine.stdout
        assert stream is not None
        seen = 0
        try:
            while chunk := stream.read(_CHUNK):  # unbuffered: returns what has arrived
                seen += len(chunk)
                if seen > WAV_HEADER_BYTES and self.first_audio_at is None:
                    self.first_audio_at = time.perf_counter()
                    self._first_audio.set()
                self.audio_bytes = max(0, seen - WAV_HEADER_BYTES)
                self._deliver(chunk)
        except (OSError, ValueError):
            pass  # killed mid-read: the pipe is gone, which is what an interruption means
        finally:
            stream.close()
            self._close_player_input()
            self._first_audio.set()
            self._engine.wait()
            if self._player is not None:
                self.player_exit = self._player.wait()
            self.finished.set()

    def _deliver(self, chunk: bytes) -> None:
        if self._sink is not None:
            self._sink(chunk)
        if self._player is not None and self._player.stdin is not None and not self._player.stdin.closed:
            try:
                _write_all(self._player.stdin, chunk)
            except (OSError, ValueError):
                self._close_player_input()  # the player died or was killed: the rest of the speech goes nowhere

    def _close_player_input(self) -> None:
        if self._player is not None and self._player.stdin is not None:
            with contextlib.suppress(OSError):
                self._player.stdin.close()

    def wait_first_audio(self, timeout: float) -> float | None:
        """Seconds from the start to the first audio bytes, or None if there were none in time."""
        self._first_audio.wait(timeout)
        return None if self.first_audio_at is None else self.first_audio_at - self.started_at

    def interrupt(self) -> None:
        self.interrupted = not self.finished.is_set()
        for process in (self._engine, self._player):
            if process is not None and process.poll() is None:
                process.kill()

    def wait(self, timeout: float | None = None) -> bool:
        return self.finished.wait(timeout)


class EspeakSpeech:
    """SpeechPort on espeak-ng. `sink` receives the WAV stream too (tests record it; the bench times it)."""

    def __init__(self, settings: EspeakSettings | None = None, sink: AudioSink | None = None) -> None:
        self.settings = settings or EspeakSettings()
        self._player_command = find_player(self.settings)
        if not self._player_command and sink is None:
            log.warning("speech: no audio player found (aplay, paplay, play); speech goes nowhere")
        self._sink = sink
        self._lock = threading.Lock()
        self._current: Utterance | None = None
        self._last: tuple[str, str] | None = None
        self._volume_index = self.settings.volume.start_index

    @property
    def amplitude(self) -> int:
        return self.settings.volume.levels[self._volume_index]

    @property
    def volume_levels(self) -> int:
        return len(self.settings.volume.levels)

    @property
    def volume_index(self) -> int:
        return self._volume_index

    @property
    def last_utterance(self) -> Utterance | None:
        return self._current

    @property
    def speaking(self) -> bool:
        current = self._current
        return current is not None and not current.finished.is_set()

    def speak(self, text: str, language: str) -> None:
        line = spoken_text(text)
        with self._lock:
            self._interrupt_locked()
            self._last = (line, language)
            if line:
                self._current = self._start(line, language)

    def _start(self, line: str, language: str) -> Utterance:
        command = espeak_command(self.settings, language, self.amplitude)
        player = None
        try:
            if self._player_command:
                player = subprocess.Popen(
                    self._player_command, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0
                )
            engine = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0
            )
        except OSError as exc:
            if player is not None:
                player.kill()
                player.communicate()
            raise SpeechError(f"cannot start {command[0]}: {exc}") from exc
        return Utterance(engine, player, self._sink, line.encode())

    def stop(self) -> None:
        with self._lock:
            self._interrupt_locked()

    def _interrupt_locked(self) -> None:
        if self._current is not None:
            self._current.interrupt()

    def repeat(self) -> None:
        if self._last is not None:
            self.speak(*self._last)

    def volume_up(self) -> int:
        self._volume_index = min(self._volume_index + 1, len(self.settings.volume.levels) - 1)
        return self._volume_index

    def volume_down(self) -> int:
        self._volume_index = max(self._volume_index - 1, 0)
        return self._volume_index

    def reset_volume(self) -> None:
        self._volume_index = self.settings.volume.start_index

    def close(self) -> None:
        """Stop and wait for the pump, so no process outlives the kiosk."""
        self.stop()
        if self._current is not None:
            self._current.wait(5)
