"""The tactile path through the flow: each step's choices in a focus ring, and what each key does there.

Pure: (navigator state, flow session, key press) → (new state, flow events to send, what to say). The screens
send the events exactly as a touch would, so the keypad and the touch screen drive one and the same flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from kiosk.domain.priority import PriorityReason
from kiosk.domain.ticket import VisitType
from kiosk.flow.events import (
    Back,
    Cancel,
    ChooseDepartment,
    ChooseDesk,
    ChooseLanguage,
    ChooseVisit,
    Confirm,
    Event,
    KeypadDigit,
    KeypadErase,
    KeypadSubmit,
    MoreTime,
    PayLater,
    StartBenefitLookup,
    StartCheckIn,
    ToggleDeclared,
    TryAgain,
)
from kiosk.flow.state import BUSY_STEPS, Session, Step
from kiosk.speech.keypad import NAVIGATION_KEYS, FocusRing, KeyPress, KioskKey

DEPARTMENT_PREFIX = "department:"
BACK_STEPS = frozenset({Step.IDENTIFY, Step.VISIT_TYPE, Step.DEPARTMENT, Step.CONFIRM})  # the flow has a Back there


@dataclass(frozen=True, slots=True)
class Choice:
    """One thing a patient can pick on a step: an id the voice has words for, and the event it sends."""

    id: str
    event: Event | None  # None: a choice the voice answers itself (hear the ticket again)


class Say(StrEnum):
    NOTHING = "nothing"
    FOCUS = "focus"  # the focused choice and its place
    TOGGLED = "toggled"  # a yes/no choice changed (pregnant, disability)
    DIGIT = "digit"
    ERASED = "erased"
    HELP = "help"
    REPEAT = "repeat"
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"


_NO_CHOICES: FocusRing[Choice] = FocusRing(())


@dataclass(frozen=True, slots=True)
class TactileState:
    ring: FocusRing[Choice] = field(default_factory=lambda: _NO_CHOICES)
    step: Step | None = None
    generation: int = -1


@dataclass(frozen=True, slots=True)
class KeyOutcome:
    state: TactileState
    events: tuple[Event, ...] = ()
    say: Say = Say.NOTHING
    digit: str | None = None


def choices_for(session: Session) -> tuple[Choice, ...]:
    step, cancel = session.step, Choice("cancel", Cancel())
    if step in BUSY_STEPS:
        return ()
    if step == Step.HOME:
        other = "en" if session.language == "vi" else "vi"
        return (
            Choice("check_in", StartCheckIn()),
            Choice("benefit_lookup", StartBenefitLookup()),
            Choice("language", ChooseLanguage(other)),
        )
    if step == Step.IDENTIFY:
        return (Choice("submit", KeypadSubmit()), cancel)
    if step == Step.VISIT_TYPE:
        bhyt = (Choice("bhyt", ChooseVisit(VisitType.BHYT)),) if session.bhyt_allowed else ()
        return (*bhyt, Choice("fee", ChooseVisit(VisitType.FEE)), Choice("desk", ChooseDesk()), cancel)
    if step == Step.ENTITLEMENT_PROBLEM:
        return (Choice("fee", ChooseVisit(VisitType.FEE)), Choice("desk", ChooseDesk()), cancel)
    if step == Step.DEPARTMENT:
        departments = tuple(Choice(DEPARTMENT_PREFIX + d.id, ChooseDepartment(d.id)) for d in session.departments)
        return (*departments, Choice("back", Back()), cancel)
    if step == Step.CONFIRM:
        return (
            Choice("pay" if session.takes_payment else "get_ticket", Confirm()),
            Choice("pregnant", ToggleDeclared(PriorityReason.PREGNANT)),
            Choice("disability", ToggleDeclared(PriorityReason.DISABILITY)),
            Choice("back", Back()),
            cancel,
        )
    if step == Step.HUB_FAILED:
        return (Choice("try_again", TryAgain()), Choice("desk", ChooseDesk()), cancel)
    if step == Step.PRINTER_NOT_READY:
        return (Choice("ticket_on_screen", Confirm()), Choice("desk", ChooseDesk()), cancel)
    if step == Step.PAYING:
        later = (Choice("pay_later", PayLater()),) if session.fee is not None and session.fee.pay_later else ()
        return (Choice("repeat_payment", None), *later, cancel)
    if step in (Step.DONE, Step.SCREEN_TICKET):
        return (Choice("repeat_ticket", None), Choice("finish", Cancel()))
    return (Choice("finish", Cancel()),)  # DESK, BENEFIT


def synced(state: TactileState, session: Session) -> TactileState:
    """The navigator for the session now on screen: a new step starts at its first choice."""
    choices = choices_for(session)
    fresh = state.step != session.step or state.generation != session.generation
    if fresh or state.ring.index == 0:  # not moved yet: a list that just arrived starts at its top
        return TactileState(FocusRing(choices), session.step, session.generation)
    return replace(state, ring=state.ring.on(choices))


def on_key(state: TactileState, session: Session, press: KeyPress) -> KeyOutcome:
    state = synced(state, session)
    if session.idle_warning_since is not None:
        return KeyOutcome(state, (MoreTime(),))  # any key gives more time (WCAG 2.2.1); the screen is said again
    voice = _VOICE.get(press.key)
    if voice is not None:
        return KeyOutcome(state, (), voice)
    if session.step == Step.IDENTIFY:
        typed = _typing(state, press)
        if typed is not None:
            return typed
    if press.key in NAVIGATION_KEYS - {KioskKey.SELECT, KioskKey.BACK}:
        return KeyOutcome(replace(state, ring=state.ring.move(press.key)), (), Say.FOCUS)
    if press.key == KioskKey.DIGIT and press.digit and press.digit != "0":
        return _jump(state, int(press.digit) - 1)
    if press.key == KioskKey.SELECT:
        return _select(state)
    if press.key == KioskKey.BACK:
        return _back(state, session)
    return KeyOutcome(state)


_VOICE = {
    KioskKey.HELP: Say.HELP,
    KioskKey.REPEAT: Say.REPEAT,
    KioskKey.VOLUME_UP: Say.VOLUME_UP,
    KioskKey.VOLUME_DOWN: Say.VOLUME_DOWN,
}


def _typing(state: TactileState, press: KeyPress) -> KeyOutcome | None:
    if press.key == KioskKey.DIGIT and press.digit:
        return KeyOutcome(state, (KeypadDigit(press.digit),), Say.DIGIT, press.digit)
    if press.key == KioskKey.ERASE:
        return KeyOutcome(state, (KeypadErase(),), Say.ERASED)
    return None


def _jump(state: TactileState, index: int) -> KeyOutcome:
    if index >= len(state.ring.choices):
        return KeyOutcome(state)
    return KeyOutcome(replace(state, ring=replace(state.ring, index=index)), (), Say.FOCUS)


def _select(state: TactileState) -> KeyOutcome:
    choice = state.ring.focused
    if choice is None:
        return KeyOutcome(state)
    if choice.event is None:
        return KeyOutcome(state, (), Say.REPEAT)
    toggled = isinstance(choice.event, ToggleDeclared)
    return KeyOutcome(state, (choice.event,), Say.TOGGLED if toggled else Say.NOTHING)


def _back(state: TactileState, session: Session) -> KeyOutcome:
    if session.step in BACK_STEPS:
        return KeyOutcome(state, (Back(),))
    # No way back here: move to the way out and say it, so one more press (select) confirms leaving.
    exits = [i for i, c in enumerate(state.ring.choices) if c.id in ("cancel", "finish")]
    return _jump(state, exits[0]) if exits else KeyOutcome(state)
