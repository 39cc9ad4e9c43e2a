"""How fast the kiosk starts speaking after a screen change, and how many keys a blind patient presses to check in.

  .venv/bin/python bench/speech_latency.py [--rounds 60] [--player "aplay -q -"]

Latency: from `SpeechGuide.show(session)` (what the frame calls after rendering a new step) to the first audio
bytes espeak-ng writes after its WAV header, through the real adapter (goal ≤ 300 ms). Also measured: the same
while a long utterance is being cut off (a patient pressing through screens), and the whole utterance's synthesis.
Key presses: a chip check-in through the pure flow, keys only, Khoa Nhi (the second department) chosen.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import time
from dataclasses import replace
from datetime import date, datetime

from kiosk.domain.dates import VN_TZ
from kiosk.domain.dates import parse_iso_partial_date as dob
from kiosk.domain.ticket import Lane, VisitType
from kiosk.flow.events import (
    CardPresented,
    DepartmentsLoaded,
    EntitlementChecked,
    Event,
    PatientFound,
    Printed,
    TicketIssued,
)
from kiosk.flow.fakes import DEMO_DEPARTMENTS, answer_for
from kiosk.flow.machine import step
from kiosk.flow.records import Bilingual, IdentifierKind, IdentitySource, IssuedTicket, PatientRecord, PresentedIdentity
from kiosk.flow.state import Session, Step
from kiosk.flow.transition import Context, FlowConfig
from kiosk.speech.activation import ActivationConfig, SpeechMode
from kiosk.speech.espeak_adapter import EspeakSettings, EspeakSpeech
from kiosk.speech.fake import RecordingVoice
from kiosk.speech.guide import SpeechGuide
from kiosk.speech.port import SpeechPort

CHIP = PresentedIdentity(IdentitySource.CHIP, IdentifierKind.CCCD, "001089012345", "Nguyễn Văn An", dob("1989-02-01"))
PATIENT = PatientRecord(id="P1", full_name="Nguyễn Văn An", date_of_birth=dob("1989-02-01"))
ANSWER = answer_for("000", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31), valid_today=True)
TICKET = IssuedTicket(
    "T1", 12, "0012", Bilingual("Khoa Nhi", "Paediatrics"), Bilingual("Phòng 204", "Room 204"),
    Bilingual("Tầng 2", "Floor 2"), Lane.NORMAL, VisitType.BHYT, datetime(2026, 11, 23, 8, 30, tzinfo=VN_TZ),
    "https://hub.example/t/T1", 3, 20, False,
)  # fmt: skip
SCREENS = (Step.HOME, Step.IDENTIFY, Step.VISIT_TYPE, Step.DEPARTMENT, Step.CONFIRM, Step.DONE)
ENTER, DOWN, F1 = 13, 274, 282


def _session(step_: Step, language: str) -> Session:
    base = Session(language=language, identity=CHIP, patient=PATIENT, entitlement=ANSWER)
    return replace(base, step=step_, departments=DEMO_DEPARTMENTS, department_id="NHI", visit=VisitType.BHYT,
                   ticket=TICKET, printed=True)  # fmt: skip


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _line(name: str, values: list[float]) -> None:
    ms = [v * 1000 for v in values]
    print(
        f"{name:<52} median {statistics.median(ms):7.1f} ms   p95 {_percentile(ms, 0.95):7.1f} ms   "
        f"max {max(ms):7.1f} ms   n={len(ms)}"
    )


def screen_change_latency(voice: EspeakSpeech, rounds: int, cut_long: bool) -> tuple[list[float], list[float]]:
    """(screen change → first audio, screen change → utterance fully synthesized) over changing screens."""
    guide = SpeechGuide(voice, SpeechMode(ActivationConfig(stay_on=True)))
    first, whole = [], []
    for i in range(rounds):
        if cut_long:
            voice.speak("Xin chào. Vui lòng đặt thẻ căn cước lên đầu đọc. " * 50, "vi")
            time.sleep(0.05)
        session = _session(SCREENS[i % len(SCREENS)], ("vi", "en")[(i // len(SCREENS)) % 2])
        before = voice.last_utterance
        started = time.perf_counter()
        guide.show(session)
        utterance = voice.last_utterance
        if utterance is None or utterance is before:
            raise RuntimeError(f"the guide did not speak on a change to {session.step}")
        if utterance.wait_first_audio(5) is None or utterance.first_audio_at is None:
            raise RuntimeError("espeak-ng produced no audio")
        first.append(utterance.first_audio_at - started)
        utterance.wait(30)
        whole.append(time.perf_counter() - started)
    return first, whole


def chip_check_in_presses() -> int:
    """Keys a patient presses for a whole chip check-in, speech switched on by the first key."""
    config = FlowConfig(hospital_name="Bệnh viện Đa khoa Demo")
    guide = SpeechGuide(RecordingVoice())
    session, presses = Session(), 0

    def send(event: Event) -> None:
        nonlocal session
        ctx = Context(now=0.0, wall=datetime(2026, 11, 23, 8, 30, tzinfo=VN_TZ), fresh_key=f"k{presses}")
        session = step(session, event, ctx, config).session
        guide.show(session)

    def press(keycode: int) -> None:
        nonlocal presses
        presses += 1
        for event in guide.key_down(keycode, session):
            send(event)

    guide.show(session)
    press(F1)
    for answer in (CardPresented(CHIP), PatientFound(0, PATIENT), EntitlementChecked(0, ANSWER)):
        send(answer)
    press(ENTER)  # "Khám bảo hiểm y tế"
    send(DepartmentsLoaded(0, DEMO_DEPARTMENTS))
    press(DOWN)  # Khoa Nhi
    press(ENTER)
    press(ENTER)  # "Lấy số thứ tự"
    send(TicketIssued(0, TICKET))
    send(Printed(0))
    if session.step != Step.DONE:
        raise RuntimeError(f"the check-in ended on {session.step}")
    return presses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--player", help='a player command reading WAV on stdin, e.g. "aplay -q -" (default: none)')
    args = parser.parse_args()
    player = tuple(shlex.split(args.player)) if args.player else ()
    voice = EspeakSpeech(EspeakSettings(player=player), sink=None if player else (lambda _chunk: None))
    speech: SpeechPort = voice
    speech.speak("khởi động", "vi")  # the first start loads espeak-ng's data from disk; a kiosk has done it already
    if voice.last_utterance is not None:
        voice.last_utterance.wait(10)
    print(f"espeak-ng adapter, player: {' '.join(player) or 'none (audio to a sink)'}; goal: first audio ≤ 300 ms")
    first, whole = screen_change_latency(voice, args.rounds, cut_long=False)
    _line("screen change → first audio bytes", first)
    _line("screen change → whole utterance synthesized", whole)
    cut_first, _ = screen_change_latency(voice, args.rounds, cut_long=True)
    _line("screen change → first audio (cutting off a long one)", cut_first)
    voice.close()
    verdict = "meets" if _percentile(first, 0.95) <= 0.3 else "MISSES"
    print(f"p95 {verdict} the 300 ms goal")
    presses = chip_check_in_presses()
    print(f"key presses for a chip check-in (speech on, second department): {presses} (goal ≤ 6)")


if __name__ == "__main__":
    main()
