"""Feeds the heartbeat's funnel counters from the flow's session changes: how patients were identified, what the
BHXH answered, tickets, desk slips, print failures. Reads codes and step names only, never who the patient is."""

from __future__ import annotations

from kiosk.flow.state import IDENTITY_STEPS, Session, Step
from kiosk.remote_config.funnel import FunnelTally


class FunnelFeed:
    """A `FlowService.subscribe` listener: compares each session with the one before it."""

    def __init__(self, tally: FunnelTally) -> None:
        self.tally = tally
        self._before = Session()

    def __call__(self, session: Session) -> None:
        before = self._before if self._before.generation == session.generation else Session()
        self._before = session
        if session.patient is not None and before.patient is None and session.identity is not None:
            self.tally.identified(str(session.identity.source))
        if session.notice_key and session.notice_key != before.notice_key and session.step in IDENTITY_STEPS:
            self.tally.identification_failed(session.notice_key)
        if session.step == Step.HUB_FAILED and before.step != Step.HUB_FAILED and session.patient is None:
            self.tally.identification_failed("hub_failed")
        if session.entitlement is not None and before.entitlement is None:
            answer = session.entitlement
            self.tally.entitlement(answer.bhxh_code or str(answer.action))
        if session.ticket is not None and before.ticket is None:
            self.tally.ticket()
        if session.step != before.step:
            self._step_changed(before.step, session)

    def _step_changed(self, before: Step, session: Session) -> None:
        if before == Step.DESK_SLIP_PRINTING and session.step == Step.DESK:
            if session.printed:
                self.tally.desk_slip()
            else:
                self.tally.print_failed()
        elif before == Step.PRINTING and session.step == Step.SCREEN_TICKET:
            self.tally.print_failed()
