"""The whole check-in and benefit lookup driven by tactile key events only, against the pure flow, with the voice.

The flow is the real state machine (kiosk.flow.machine); the voice is the recording fake; device and hub answers
are fed in as the service would. Key presses are counted (the goal: at most 6 for a chip check-in).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.domain.priority import PriorityReason
from kiosk.flow.events import (
    CardPresented,
    DepartmentsLoaded,
    EntitlementChecked,
    Event,
    PatientFound,
    Printed,
    TicketIssued,
)
from kiosk.flow.fakes import DEMO_DEPARTMENTS
from kiosk.flow.state import Mode, Step
from kiosk.speech.activation import ActivationConfig, SpeechMode, Trigger
from kiosk.speech.fake import RecordingVoice
from kiosk.speech.guide import SpeechGuide
from tests.flow.driver import CHIP, PATIENT, Driver
from tests.speech.sessions import ANSWER, TICKET

# Kivy key codes, as the window's on_key_down reports them.
UP, DOWN, ENTER, ESCAPE, BACKSPACE, F1, F2, PLUS, MINUS = 273, 274, 13, 27, 8, 282, 283, 270, 269


def digit(d: str) -> int:
    return 256 + int(d)  # the numeric keypad's digits


@dataclass
class Kiosk:
    """The flow, the frame's two calls into the guide, and a count of the keys the patient pressed."""

    guide: SpeechGuide
    voice: RecordingVoice
    flow: Driver = field(default_factory=Driver)
    presses: int = 0

    @classmethod
    def start(cls, mode: SpeechMode | None = None) -> Kiosk:
        voice = RecordingVoice()
        kiosk = cls(SpeechGuide(voice, mode), voice)
        kiosk.guide.show(kiosk.flow.session)
        return kiosk

    def press(self, *keycodes: int) -> None:
        for keycode in keycodes:
            self.presses += 1
            for event in self.guide.key_down(keycode, self.flow.session):
                self.answer(event)

    def answer(self, event: Event) -> None:
        """A touch-equivalent event, a device report or a hub answer; the frame re-renders after each."""
        self.flow.send(event)
        self.guide.show(self.flow.session)

    @property
    def said(self) -> str:
        return self.voice.last


def test_a_chip_check_in_by_keys_takes_at_most_six_presses_and_speaks_the_ticket() -> None:
    kiosk = Kiosk.start()
    assert kiosk.voice.said == []  # nobody asked for speech yet
    kiosk.press(F1)
    assert kiosk.said.startswith("Đã bật hướng dẫn bằng giọng nói.")
    assert "đặt thẻ căn cước" in kiosk.said
    assert kiosk.flow.step == Step.HOME  # the key that switched speech on did nothing else
    kiosk.answer(CardPresented(CHIP))
    assert "Đang tìm hồ sơ" in kiosk.said
    kiosk.answer(PatientFound(0, PATIENT))
    kiosk.answer(EntitlementChecked(0, ANSWER))
    assert kiosk.flow.step == Step.VISIT_TYPE
    assert kiosk.said.endswith("Khám bảo hiểm y tế. Mục một trên bốn.")
    kiosk.press(ENTER)
    assert "Đang tải danh sách khoa" in kiosk.said
    kiosk.answer(DepartmentsLoaded(0, DEMO_DEPARTMENTS))
    assert "Khoa Nội, Tầng một. Mười hai người đang chờ" in kiosk.said
    kiosk.press(DOWN)
    assert kiosk.said.startswith("Khoa Nhi, Tầng hai.")
    kiosk.press(ENTER)
    assert kiosk.flow.step == Step.CONFIRM
    assert "Khám bảo hiểm y tế, tại Khoa Nhi." in kiosk.said
    kiosk.press(ENTER)
    assert kiosk.flow.step == Step.ISSUING
    kiosk.answer(TicketIssued(0, TICKET))
    kiosk.answer(Printed(0))
    assert kiosk.flow.step == Step.DONE
    assert kiosk.said.startswith("Số thứ tự của bạn là mười hai. Mời bạn đến Khoa Nội, Phòng một trăm linh một")
    assert kiosk.presses == 5
    assert kiosk.presses <= 6


def test_a_benefit_lookup_by_keys_with_a_typed_id_number_in_english() -> None:
    kiosk = Kiosk.start()
    kiosk.press(F1, DOWN, DOWN)
    assert kiosk.said.startswith("English. Chuyển sang tiếng Anh. Mục ba trên ba.")
    kiosk.press(ENTER)
    assert kiosk.flow.session.language == "en"
    assert kiosk.said.startswith("Welcome.")
    kiosk.press(UP, UP, ENTER)
    assert (kiosk.flow.step, kiosk.flow.session.mode) == (Step.IDENTIFY, Mode.BENEFIT_LOOKUP)
    for d in "0010890123459":
        kiosk.press(digit(d))
    assert kiosk.said == "nine"
    kiosk.press(BACKSPACE)
    assert kiosk.said == "Erased. Twelve digits left."
    assert kiosk.flow.session.typed == "001089012345"
    kiosk.press(ENTER)
    assert kiosk.flow.step == Step.FINDING_PATIENT
    kiosk.answer(PatientFound(0, PATIENT))
    kiosk.answer(EntitlementChecked(0, ANSWER))
    assert kiosk.flow.step == Step.BENEFIT
    assert "You are covered for eighty percent" in kiosk.said
    kiosk.press(ENTER)
    assert kiosk.flow.step == Step.HOME
    assert kiosk.flow.session.generation == 1


def test_help_repeat_and_volume_keys_answer_without_touching_the_flow() -> None:
    kiosk = Kiosk.start()
    kiosk.press(F1)
    screen = kiosk.said
    before = kiosk.flow.session
    kiosk.press(F1)
    assert kiosk.said.startswith("Phím mũi tên lên và xuống")
    kiosk.press(F2)
    assert kiosk.said == screen[screen.index("Xin chào") :]  # the screen again, without the greeting of the mode
    kiosk.press(PLUS, PLUS, PLUS)
    assert kiosk.said == "Âm lượng năm trên năm."
    assert kiosk.voice.said[-1][2] == 4
    kiosk.press(MINUS)
    assert kiosk.said == "Âm lượng bốn trên năm."
    assert kiosk.flow.session == before


def test_the_idle_warning_is_spoken_and_any_key_gives_more_time() -> None:
    kiosk = Kiosk.start()
    kiosk.press(F1, ENTER)
    assert kiosk.flow.step == Step.IDENTIFY
    kiosk.flow.wait(45)
    kiosk.guide.show(kiosk.flow.session)
    assert kiosk.said.startswith("Bạn còn ở đây không? Phiên sẽ kết thúc sau hai mươi lăm giây.")
    said = len(kiosk.voice.said)
    kiosk.press(PLUS)  # even a volume key
    assert kiosk.flow.session.idle_warning_since is None
    assert kiosk.said.startswith("Hãy đặt thẻ căn cước")  # back on the screen, said again
    assert len(kiosk.voice.said) == said + 1
    kiosk.flow.wait(45 + 25)
    kiosk.guide.show(kiosk.flow.session)
    assert kiosk.flow.step == Step.HOME


def test_a_key_during_the_idle_warning_with_speech_off_switches_it_on_and_gives_more_time() -> None:
    kiosk = Kiosk.start()
    kiosk.answer(CardPresented(CHIP))
    kiosk.answer(PatientFound(0, PATIENT))
    kiosk.answer(EntitlementChecked(0, ANSWER))
    kiosk.flow.wait(45)
    kiosk.guide.show(kiosk.flow.session)
    assert kiosk.voice.said == []
    kiosk.press(DOWN)
    assert kiosk.flow.session.idle_warning_since is None
    assert kiosk.flow.step == Step.VISIT_TYPE
    assert len(kiosk.voice.said) == 1  # one utterance, not a greeting cut off by the screen
    assert kiosk.said.startswith("Đã bật hướng dẫn bằng giọng nói.")
    assert "Chọn hình thức khám." in kiosk.said


def test_the_next_patient_starts_at_the_usual_volume_and_without_speech() -> None:
    kiosk = Kiosk.start()
    kiosk.press(F1, PLUS, PLUS, ENTER)
    assert kiosk.voice.volume_index == 4
    stops = kiosk.voice.stops
    kiosk.press(ESCAPE)  # back from IDENTIFY: the session is wiped
    assert kiosk.flow.session.generation == 1
    assert kiosk.voice.volume_index == 2
    assert kiosk.voice.stops == stops + 1
    assert not kiosk.guide.speaking_mode
    said = len(kiosk.voice.said)
    kiosk.answer(CardPresented(CHIP))
    assert len(kiosk.voice.said) == said


def test_headphones_switch_speech_on_and_keep_it_on_for_the_next_patient() -> None:
    kiosk = Kiosk.start()
    kiosk.guide.headphones(True, kiosk.flow.session)
    assert kiosk.said.startswith("Đã bật hướng dẫn bằng giọng nói.")
    kiosk.press(ENTER, ESCAPE)
    assert kiosk.flow.session.generation == 1
    assert kiosk.guide.speaking_mode
    assert kiosk.said.startswith("Xin chào.")


def test_with_only_the_help_key_as_trigger_other_keys_act_silently() -> None:
    kiosk = Kiosk.start(SpeechMode(ActivationConfig(frozenset({Trigger.HELP_KEY}))))
    kiosk.press(ENTER)
    assert kiosk.flow.step == Step.IDENTIFY
    assert kiosk.voice.said == []
    kiosk.press(F1)
    assert kiosk.said.startswith("Đã bật hướng dẫn bằng giọng nói.")
    assert "Hãy đặt thẻ căn cước" in kiosk.said


def test_back_where_the_flow_has_no_back_moves_to_the_way_out_first() -> None:
    kiosk = Kiosk.start()
    kiosk.press(F1)
    kiosk.answer(CardPresented(CHIP))
    kiosk.answer(PatientFound(0, PATIENT))
    kiosk.answer(EntitlementChecked(0, ANSWER))
    kiosk.press(ENTER)
    kiosk.answer(DepartmentsLoaded(0, DEMO_DEPARTMENTS))
    kiosk.press(ENTER, ENTER)
    kiosk.answer(TicketIssued(0, TICKET))
    kiosk.answer(Printed(0))
    kiosk.press(ENTER)  # "hear my ticket again"
    assert kiosk.said.startswith("Số thứ tự của bạn là mười hai.")
    kiosk.press(ESCAPE)
    assert kiosk.said == "Xong, kết thúc. Mục hai trên hai."
    assert kiosk.flow.step == Step.DONE
    kiosk.press(ENTER)
    assert kiosk.flow.step == Step.HOME


def test_declaring_pregnancy_is_confirmed_by_voice() -> None:
    kiosk = Kiosk.start()
    kiosk.press(F1)
    kiosk.answer(CardPresented(CHIP))
    kiosk.answer(PatientFound(0, PATIENT))
    kiosk.answer(EntitlementChecked(0, ANSWER))
    kiosk.press(ENTER)
    kiosk.answer(DepartmentsLoaded(0, DEMO_DEPARTMENTS))
    kiosk.press(ENTER, DOWN, ENTER)
    assert kiosk.said == "Đã chọn."
    assert kiosk.flow.session.declared == {PriorityReason.PREGNANT}
    kiosk.press(ENTER)
    assert kiosk.said == "Chưa chọn."
    assert kiosk.flow.session.declared == frozenset()


def test_a_broken_voice_never_stops_the_flow() -> None:
    kiosk = Kiosk.start()
    kiosk.voice.fail = True
    kiosk.press(F1, ENTER)
    assert kiosk.flow.step == Step.IDENTIFY


def test_the_same_refusal_twice_is_said_twice() -> None:
    kiosk = Kiosk.start()
    kiosk.press(F1, ENTER)
    for _ in range(2):
        said = len(kiosk.voice.said)
        kiosk.press(*(digit(d) for d in "123456789"), ENTER)  # an old 9-digit CMND
        assert kiosk.flow.session.notice_key == "identify.old_cmnd_not_accepted"
        assert kiosk.said.startswith("Số chứng minh nhân dân chín số không dùng được.")
        assert len(kiosk.voice.said) == said + 10
