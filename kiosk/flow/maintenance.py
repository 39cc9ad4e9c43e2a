"""The hidden staff screen: a PIN typed on the keypad opens device status and a test print.

The PIN is compared by its SHA-256 in constant time; three wrong PINs close the screen and alert IT. The screen
times out like any session and prints only a test slip (no patient data exists in this session).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace

from kiosk.domain.ticket import DeskSlip
from kiosk.flow.effects import AlertIt, PrintDeskSlip
from kiosk.flow.events import (
    Event,
    KeypadDigit,
    KeypadErase,
    KeypadSubmit,
    OpenMaintenance,
    Printed,
    PrintFailed,
    PrintTestSlip,
)
from kiosk.flow.state import Session, Step
from kiosk.flow.transition import Context, FlowConfig, Transition

STEPS = frozenset({Step.MAINTENANCE_PIN, Step.MAINTENANCE})
MAX_PIN = 8
MAX_FAILURES = 3


def pin_digest(pin: str) -> str:
    return hashlib.sha256(pin.encode()).hexdigest()


def handle(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, OpenMaintenance):
        if session.step != Step.HOME or config.maintenance_pin_sha256 is None:
            return Transition(session)
        return Transition(replace(session.at(Step.MAINTENANCE_PIN, ctx.now), typed=""))
    if session.step == Step.MAINTENANCE_PIN:
        return _pin(session, event, ctx, config)
    if isinstance(event, PrintTestSlip):
        slip = DeskSlip(config.hospital_name, "test_print", f"kiosk:{config.kiosk_name}", ctx.wall)
        return Transition(
            replace(session, notice_key="maintenance.printing"), (PrintDeskSlip(session.generation, slip),)
        )
    if isinstance(event, Printed):
        return Transition(replace(session, notice_key="maintenance.printed"))
    if isinstance(event, PrintFailed):
        return Transition(replace(session, notice_key=event.reason))
    return Transition(session)


def _pin(session: Session, event: Event, ctx: Context, config: FlowConfig) -> Transition:
    if isinstance(event, KeypadDigit) and event.digit.isdigit() and event.digit.isascii():
        return Transition(replace(session, typed=(session.typed + event.digit)[:MAX_PIN], notice_key=None))
    if isinstance(event, KeypadErase):
        return Transition(replace(session, typed=session.typed[:-1]))
    if not isinstance(event, KeypadSubmit):
        return Transition(session)
    expected = config.maintenance_pin_sha256 or ""
    if hmac.compare_digest(pin_digest(session.typed), expected):
        return Transition(replace(session.at(Step.MAINTENANCE, ctx.now), typed="", pin_failures=0))
    failures = session.pin_failures + 1
    if failures >= MAX_FAILURES:
        return Transition(session.at(Step.HOME, ctx.now), (AlertIt("maintenance_pin_failures"),))
    return Transition(replace(session, typed="", pin_failures=failures, notice_key="maintenance.wrong_pin"))
