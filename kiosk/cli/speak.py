"""`kiosk speak TEXT [--lang vi|en] [--wav FILE]`: say a sentence with the kiosk's voice, or write it to a WAV file.

For hospital IT to check the loudspeaker, the headphone jack and the Vietnamese voice. Prints one JSON object
(the text as spoken, the voice, where the audio went, timings); exits 1 with an `error` when espeak-ng fails.
"""

from __future__ import annotations

import argparse
import json
import shlex
import time
from pathlib import Path

from kiosk.domain.language import DEFAULT_LANGUAGE, LANGUAGES
from kiosk.domain.spoken_numbers import numbers_as_words
from kiosk.speech.espeak_adapter import EspeakSettings, EspeakSpeech, find_player, render_wav, spoken_text
from kiosk.speech.port import SpeechError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("speak", help="say TEXT with the kiosk's voice (or write a WAV file)")
    parser.add_argument("text", help="what to say (Vietnamese by default)")
    parser.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE, help="voice language (default vi)")
    parser.add_argument("--wav", type=Path, help="write the speech to this WAV file instead of playing it")
    parser.add_argument("--rate", type=int, default=150, help="words per minute (default 150)")
    parser.add_argument("--digits-as-written", action="store_true", help="do not say numbers as words")
    parser.add_argument("--player", help="player command reading WAV on stdin (default: aplay, paplay or play)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    player = tuple(shlex.split(args.player)) if args.player else None
    settings = EspeakSettings(words_per_minute=args.rate, player=player)
    text = spoken_text(args.text if args.digits_as_written else numbers_as_words(args.text, args.lang))
    out: dict[str, object] = {"text": text, "language": args.lang, "voice": settings.voice_for(args.lang)}
    started = time.perf_counter()
    try:
        if args.wav is not None:
            render_wav(text, args.lang, args.wav, settings)
            out |= {"wav": str(args.wav), "bytes": args.wav.stat().st_size}
        else:
            out |= _play(text, args.lang, settings)
    except (SpeechError, OSError) as exc:
        print(json.dumps(out | {"error": str(exc)}, ensure_ascii=False))
        return 1
    out["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
    print(json.dumps(out, ensure_ascii=False))
    return 0


def _play(text: str, language: str, settings: EspeakSettings) -> dict[str, object]:
    """Speak through the player; an error when it fails (no sound card, wrong device) so IT hears of it."""
    player = find_player(settings)
    voice = EspeakSpeech(settings, sink=None if player else (lambda _chunk: None))
    voice.speak(text, language)
    utterance = voice.last_utterance
    if utterance is None:
        return {"player": None}
    first = utterance.wait_first_audio(10)
    utterance.wait(120)
    if utterance.audio_bytes == 0:
        raise SpeechError("espeak-ng produced no audio")
    if player and utterance.player_exit:
        raise SpeechError(f"the player ({' '.join(player)}) failed with exit status {utterance.player_exit}")
    return {
        "player": " ".join(player) if player else None,
        "first_audio_ms": None if first is None else round(first * 1000, 1),
        "audio_bytes": utterance.audio_bytes,
    }
