"""The focus ring stands out on both themes; the idle warning's spoken reminder comes once, near the end."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.flow.state import Session, Step
from kiosk.screens.theme import HIGH_CONTRAST, RING_INNER, RING_OUTER, STANDARD, Theme, contrast
from kiosk.speech.activation import ActivationConfig, SpeechMode
from kiosk.speech.fake import RecordingVoice
from kiosk.speech.guide import SpeechGuide


def test_contrast_is_the_wcag_ratio() -> None:
    assert contrast((0, 0, 0, 1), (1, 1, 1, 1)) == pytest.approx(21)
    assert contrast((0.5, 0.5, 0.5, 1), (0.5, 0.5, 0.5, 1)) == pytest.approx(1)


@pytest.mark.parametrize("theme", [STANDARD, HIGH_CONTRAST], ids=["standard", "high_contrast"])
def test_the_focus_ring_stands_out_on_every_colour_it_can_touch(theme: Theme) -> None:
    # WCAG 1.4.11: a focus indicator ≥ 3:1 against what is next to it; one of the ring's two bands must be.
    for colour in (theme.background, theme.surface, theme.header, theme.primary, theme.secondary, theme.accent):
        best = max(contrast(RING_OUTER, colour), contrast(RING_INNER, colour))
        assert best >= 3, f"{colour}: {best:.1f}"
    assert contrast(RING_OUTER, RING_INNER) >= 3  # the two bands are told apart from each other too


def _warned(at: float) -> Session:
    return replace(Session(), step=Step.BENEFIT, idle_warning_since=at)


def test_the_idle_reminder_is_said_once_near_the_end_and_again_for_the_next_warning() -> None:
    voice = RecordingVoice()
    guide = SpeechGuide(voice, SpeechMode(ActivationConfig(stay_on=True)), warning_s=25)
    guide.show(_warned(100.0))
    assert voice.last.startswith("Bạn còn ở đây không? Phiên sẽ kết thúc sau hai mươi lăm giây.")
    guide.countdown(_warned(100.0), 15)
    assert len(voice.said) == 1  # not yet
    guide.countdown(_warned(100.0), 10)
    assert voice.last == "Còn mười giây. Nhấn phím bất kỳ để tiếp tục."
    guide.countdown(_warned(100.0), 9)
    guide.countdown(_warned(100.0), 3)
    assert len(voice.said) == 2  # once per warning
    guide.countdown(_warned(200.0), 10)  # a later warning (more time was given in between)
    assert len(voice.said) == 3


def test_no_reminder_while_the_voice_is_off_or_without_a_warning() -> None:
    voice = RecordingVoice()
    silent = SpeechGuide(voice, warning_s=25)
    silent.countdown(_warned(100.0), 5)
    on = SpeechGuide(voice, SpeechMode(ActivationConfig(stay_on=True)), warning_s=25)
    on.countdown(replace(Session(), step=Step.BENEFIT), 5)
    assert voice.said == []
