"""Speech follows the screen: the one object the kiosk's frame talks to for the voice and the tactile keypad.

Wiring (two calls, no Kivy here): after every render the frame calls `guide.show(session)`; the window's
`on_key_down(window, key, ...)` calls `guide.key_down(key, session)` and sends the events it returns to the flow,
exactly as touches would. `guide.focused` names the choice the screen draws its focus ring around.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from kiosk.domain.spoken_numbers import spell_digits
from kiosk.flow.events import AskForHelp, Event, MoreTime
from kiosk.flow.state import Session, Step
from kiosk.speech.activation import SpeechMode
from kiosk.speech.keypad import KeypadMap, KeyPress, KioskKey
from kiosk.speech.navigator import Choice, KeyOutcome, Say, TactileState, on_key, synced
from kiosk.speech.port import SpeechError, SpeechPort
from kiosk.speech.prompts import notice_text, phrase
from kiosk.speech.script import focus_text, idle_text, screen_text

log = logging.getLogger(__name__)
REMINDER_AT_S = 10  # a last spoken reminder this long before the idle wipe (the warning itself said the full time)


@dataclass(frozen=True, slots=True)
class _Screen:
    """What makes the screen "new" for the ear: a change in any of these is spoken."""

    generation: int
    step: Step
    notice_key: str | None
    language: str
    departments_loaded: bool
    idle_warning: bool
    printed: bool
    help: str | None

    @classmethod
    def of(cls, session: Session) -> _Screen:
        return cls(
            session.generation,
            session.step,
            session.notice_key,
            session.language,
            bool(session.departments),
            session.idle_warning_since is not None,
            session.printed,
            session.help.value if session.help is not None else None,
        )


class SpeechGuide:
    def __init__(
        self, voice: SpeechPort, mode: SpeechMode | None = None, keypad: KeypadMap | None = None, warning_s: float = 25
    ) -> None:
        self.voice = voice
        self.mode = mode or SpeechMode()
        self.keypad = keypad or KeypadMap()
        self.warning_s = warning_s
        self.tactile = TactileState()
        self._screen: _Screen | None = None
        self._prefix = ""  # said before the next screen (the greeting of a mode switched on mid-warning)
        self._answering = False  # the next show() is the flow's answer to a key
        self._reminded: float | None = None  # the idle warning (its start) already reminded of

    @property
    def speaking_mode(self) -> bool:
        return self.mode.on

    @property
    def focused(self) -> Choice | None:
        return self.tactile.ring.focused

    def show(self, session: Session) -> None:
        """Called after every render; speaks only when what a listener would notice has changed."""
        screen = _Screen.of(session)
        previous, self._screen = self._screen, screen
        self.tactile = synced(self.tactile, session)
        if previous is not None and previous.generation != screen.generation:
            self._patient_left()
        answering, self._answering = self._answering, False
        if not self.mode.on:
            return
        if previous is not None and screen.help != previous.help and screen == replace(previous, help=screen.help):
            if screen.help is not None:  # only the call for help moved on: say where it stands
                self._say(phrase(f"call_staff.{screen.help}", session.language), session.language)
            return
        if previous is not None and screen == replace(previous, notice_key=None):
            return  # only a notice went away (the patient typed on): nothing new to hear
        if screen == previous:
            if answering and session.notice_key:  # the same refusal again ("not recognised" twice): say it again
                self._say(notice_text(session.notice_key, session.language), session.language)
            return
        said = idle_text(session, round(self.warning_s)) if screen.idle_warning else self._screen_now(session)
        self._say(self._prefix + said, session.language)
        self._prefix = ""

    def countdown(self, session: Session, seconds_left: float) -> None:
        """Called every second while the idle warning is shown: once, near the end, say how long is left."""
        warned = session.idle_warning_since
        if not self.mode.on or warned is None or seconds_left > REMINDER_AT_S or self._reminded == warned:
            return
        self._reminded = warned
        left = max(0, round(seconds_left))
        self._say(phrase("idle.reminder", session.language, seconds=left), session.language)

    def _patient_left(self) -> None:
        self._silence()
        self.voice.reset_volume()  # the next patient starts at the usual loudness
        self.mode = self.mode.patient_left()

    def headphones(self, connected: bool, session: Session) -> None:
        was_on = self.mode.on
        self.mode = self.mode.headphones_changed(connected)
        if self.mode.on and not was_on:
            self._say(phrase("speech.on", session.language) + " " + self._screen_now(session), session.language)

    def key_down(self, keycode: int, session: Session) -> tuple[Event, ...]:
        """Events for the flow from one key of the tactile keypad (empty for keys only the voice answers)."""
        press = self.keypad.translate(keycode)
        if press is None:
            return ()
        if press.key == KioskKey.CALL_STAFF:
            # Acts whatever the voice was doing, and turns the voice on: the patient hears the call's answer.
            self.mode = replace(self.mode, on=True)
            if session.help is not None and session.help.value != "hub_away":  # asked already: say where it is
                self._say(phrase(f"call_staff.{session.help.value}", session.language), session.language)
            return (AskForHelp(),)
        self.mode, only_switched_on = self.mode.key_pressed(press)
        if only_switched_on:
            greeting = phrase("speech.on", session.language) + " "
            if session.idle_warning_since is not None:
                self._prefix = greeting  # said with the screen once the flow has taken the more-time event
                return (MoreTime(),)
            self._say(greeting + self._screen_now(session), session.language)
            return ()
        outcome = on_key(self.tactile, session, press)
        self.tactile = outcome.state
        self._answering = bool(outcome.events)
        if self.mode.on:
            self._answer(outcome, press, session)
        return outcome.events

    def _screen_now(self, session: Session) -> str:
        self.tactile = synced(self.tactile, session)
        return screen_text(session, self.tactile.ring)

    def _answer(self, outcome: KeyOutcome, press: KeyPress, session: Session) -> None:
        language = session.language
        said = outcome.say
        if said == Say.FOCUS:
            self._say(focus_text(self.tactile.ring, session), language)
        elif said == Say.TOGGLED:
            now_on = not self._declared(session)
            self._say(phrase("focus.selected" if now_on else "focus.not_selected", language), language)
        elif said == Say.DIGIT and outcome.digit:
            self._say(spell_digits(outcome.digit, language), language)
        elif said == Say.ERASED:
            left = max(0, len(session.typed) - 1)
            self._say(phrase("typed.erased" if left else "typed.empty", language, count=left), language)
        elif said == Say.HELP:
            digits = " " + phrase("help.digits", language) if session.step == Step.IDENTIFY else ""
            self._say(phrase("help.keys", language) + digits, language)
        elif said == Say.REPEAT:
            self._say(self._screen_now(session), language)
        elif said in (Say.VOLUME_UP, Say.VOLUME_DOWN):
            level = self.voice.volume_up() if said == Say.VOLUME_UP else self.voice.volume_down()
            count = self.voice.volume_levels
            self._say(phrase("volume.level", language, level=level + 1, count=count), language)

    def _declared(self, session: Session) -> bool:
        """Whether the focused yes/no choice was already declared before this key (so it is now switched off)."""
        event = self.focused.event if self.focused else None
        reason = getattr(event, "reason", None)
        return reason in session.declared

    def _say(self, text: str, language: str) -> None:
        try:
            self.voice.speak(text, language)
        except SpeechError:
            log.warning("speech: the voice could not start; the kiosk goes on silently")

    def _silence(self) -> None:
        try:
            self.voice.stop()
        except SpeechError:
            log.warning("speech: the voice could not be stopped")
