"""The patient's call for help, from any screen: the session says where it stands, the service sends it.

It never changes the step the patient is on (the staff come to the kiosk and carry on from there), works on busy
screens too, and is not sent again while a call is under way or was just sent.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.flow.effects import CallForHelp
from kiosk.flow.events import AskForHelp, HelpAnswered
from kiosk.flow.state import HelpCall, Session
from kiosk.flow.transition import FlowConfig, Transition


def ask(session: Session, _event: AskForHelp, config: FlowConfig) -> Transition:
    if session.help in (HelpCall.CALLING, HelpCall.SENT):
        return Transition(session)  # pressed again: the staff were (or are being) told already
    calling = replace(session, help=HelpCall.CALLING)
    return Transition(calling, (CallForHelp(session.generation, config.kiosk_location, session.step.value),))


def answered(session: Session, event: HelpAnswered) -> Transition:
    return Transition(replace(session, help=HelpCall.SENT if event.sent else HelpCall.HUB_AWAY))
