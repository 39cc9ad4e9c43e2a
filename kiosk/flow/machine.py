"""The check-in and benefit-lookup flows as one pure function: (session, event, context) → (session, effects).

Nothing here touches a device, the network or the screen; the service feeds events in and runs the effects, and
the tests drive it directly (the idea of Electrum's wizard and its test_wizard).
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.domain.language import LANGUAGES, Language
from kiosk.flow import appointments, help_call, identify, maintenance, paying, ticketing, triage
from kiosk.flow.effects import SessionWiped
from kiosk.flow.events import (
    ANSWERS,
    USER_EVENTS,
    AskForHelp,
    Back,
    Cancel,
    CardPresented,
    CardRemoved,
    ChooseLanguage,
    Event,
    HelpAnswered,
    MoreTime,
    OpenMaintenance,
    Tick,
)
from kiosk.flow.records import IdentitySource
from kiosk.flow.state import BUSY_STEPS, PAPER_IN_HAND_STEPS, PAYMENT_STEPS, Session, Step
from kiosk.flow.transition import Context, FlowConfig, Transition

_BACK_TO_START = frozenset({Step.IDENTIFY, Step.VISIT_TYPE, Step.MAINTENANCE_PIN, Step.MAINTENANCE})
__all__ = ["Context", "FlowConfig", "Transition", "step", "wipe"]


def step(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, ANSWERS) and getattr(event, "generation", None) != session.generation:
        return Transition(session)  # a late answer for a patient who has gone
    if isinstance(event, Tick):
        return _tick(session, ctx, config)
    if isinstance(event, HelpAnswered):
        return help_call.answered(session, event)
    if isinstance(event, USER_EVENTS):
        if session.step in BUSY_STEPS and not isinstance(event, ChooseLanguage | AskForHelp):
            return Transition(session)  # the screen shows a spinner; stray touches change nothing
        session = replace(session, last_activity=ctx.now, idle_warning_since=None)
    if isinstance(event, ChooseLanguage):
        lang = Language(event.language) if event.language in LANGUAGES else session.language
        return Transition(replace(session, language=lang))
    if isinstance(event, MoreTime):
        return Transition(session)
    if isinstance(event, AskForHelp):
        return help_call.ask(session, event, config)
    if isinstance(event, Cancel) or (isinstance(event, Back) and session.step in _BACK_TO_START):
        return wipe(session, ctx, config)
    if isinstance(event, CardRemoved):
        chip = session.identity is not None and session.identity.source == IdentitySource.CHIP
        # Paying, the patient may well take the card back to reach for the phone: the payment is not left for it.
        return wipe(session, ctx, config) if chip and session.step not in PAYMENT_STEPS else Transition(session)
    if isinstance(event, CardPresented) and session.step not in (Step.HOME, Step.IDENTIFY):
        return Transition(session)
    return _by_step(session, event, ctx, config)


def _by_step(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if session.step in maintenance.STEPS or isinstance(event, OpenMaintenance):
        result = maintenance.handle(session, event, ctx, config)
        if result.session.step == Step.HOME and session.step != Step.HOME:
            return Transition(wipe(session, ctx, config).session, (*result.effects, SessionWiped()))
        return result
    if isinstance(event, appointments.ANSWERS):
        return appointments.handle(session, event, ctx)
    if session.step in (Step.HOME, Step.IDENTIFY):
        return identify.handle(session, event, ctx, config)
    if session.step in triage.STEPS:
        return triage.handle(session, event, ctx, config)
    if session.step in paying.STEPS:
        return paying.handle(session, event, ctx, config)
    return ticketing.handle(session, event, ctx, config)


def wipe(session: Session, ctx: Context, config: FlowConfig) -> Transition:
    effects = (*paying.leaving(session), SessionWiped())
    return Transition(replace(session.wiped(ctx.now), language=config.language), effects)


def _tick(session: Session, ctx: Context, config: FlowConfig) -> Transition:
    if session.step == Step.PAYING:
        return paying.tick(session, ctx, config)  # its own countdown instead of the idle warning
    if session.step == Step.HOME or session.step in BUSY_STEPS:
        return Transition(session)
    in_hand_for = ctx.now - session.step_entered_at
    # Paper printed: back to the start soon. Shown on screen instead: the usual idle warning, so there is time
    # to photograph the ticket or show the QR to staff.
    if session.step in PAPER_IN_HAND_STEPS and session.printed and in_hand_for >= config.paper_in_hand_s:
        return wipe(session, ctx, config)
    if session.idle_warning_since is not None:
        if ctx.now - session.idle_warning_since >= config.warning_s:
            return wipe(session, ctx, config)
        return Transition(session)
    if ctx.now - max(session.last_activity, session.step_entered_at) >= config.idle_after_s:
        return Transition(replace(session, idle_warning_since=ctx.now))
    return Transition(session)
