"""Reading back what espeak-ng produced: duration and loudness of a WAV file, with only the standard library."""

from __future__ import annotations

import array
import math
import sys
import wave
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sound:
    rate: int
    samples: array.array[int]

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    @property
    def rms(self) -> float:
        """Root-mean-square level as a fraction of full scale (0 = silence)."""
        if not self.samples:
            return 0.0
        return math.sqrt(sum(s * s for s in self.samples) / len(self.samples)) / 32768


def pcm16(data: bytes, rate: int) -> Sound:
    samples = array.array("h")
    samples.frombytes(data[: len(data) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()  # WAV is little-endian
    return Sound(rate, samples)


def read_wav(path: Path) -> Sound:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getsampwidth(), wav.getnchannels()) == (2, 1), "espeak-ng writes 16-bit mono"
        return pcm16(wav.readframes(wav.getnframes()), wav.getframerate())


def stream_sound(stream: bytes) -> Sound:
    """A WAV stream from `espeak-ng --stdout`: its header announces no length, so the data is read after it."""
    assert stream[:4] == b"RIFF"
    assert stream[8:12] == b"WAVE"
    rate = int.from_bytes(stream[24:28], "little")
    return pcm16(stream[44:], rate)
