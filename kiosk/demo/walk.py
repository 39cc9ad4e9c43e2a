"""The walkthrough's hands and eyes: `Walk` taps the real screens, presents cards and QR codes, checks where the
kiosk is and saves a picture of each screen; `DemoStepError` is a step that did not behave."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kiosk.demo.devices import DemoClock, DemoPrinter, Devices
from kiosk.embedded_hub import EmbeddedHub
from kiosk.flow.events import CardPresented, QrScanned
from kiosk.flow.records import EntitlementAnswer
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.i18n.catalogue import translate


class DemoStepError(AssertionError):
    """A walkthrough step where the kiosk did not do what a patient should see."""


@dataclass
class Walk:
    """One walkthrough: the app's root widget, the service, the hub, the printer and where pictures go."""

    root: Any
    service: FlowService
    hub: EmbeddedHub
    devices: Devices
    clock: DemoClock
    shots: Path | None
    saved: list[Path] = field(default_factory=list)
    scenario: str = ""

    @property
    def printer(self) -> DemoPrinter:
        return self.devices.printer

    async def settle(self) -> None:
        from kiosk.screens.pilot import frames

        for _ in range(50):
            await self.service.idle()
            await frames(2)
            if not self.service._tasks:
                return

    def expect(self, step: Step) -> None:
        if self.service.session.step != step:
            raise DemoStepError(f"{self.scenario}: expected {step}, the kiosk is at {self.service.session.step}")

    async def shot(self, name: str) -> None:
        from kiosk.screens.pilot import frames, screenshot

        await frames(3)
        if self.shots is not None:
            self.saved.append(
                screenshot(self.root, self.shots / f"{len(self.saved) + 1:02d}-{self.scenario}-{name}.png")
            )

    async def tap(self, key_or_text: str, **values: object) -> None:
        from kiosk.screens.pilot import tap

        text = translate(key_or_text, self.service.session.language, **values) if "." in key_or_text else key_or_text
        await tap(self.root, text)
        await self.settle()

    async def present(self, event: CardPresented | QrScanned) -> None:
        self.service.dispatch(event)
        await self.settle()

    async def take_ticket(self, visit_key: str, reaching: Step = Step.DONE) -> None:
        """Visit type → first open department → confirm; the kiosk must end at `reaching` (the ticket screen)."""
        await self.tap(visit_key)
        self.expect(Step.DEPARTMENT)
        await self.shot("department")
        first_open = next(d for d in self.service.session.departments if d.open_now)
        await self.tap(first_open.name.pick(self.service.session.language))
        self.expect(Step.CONFIRM)
        await self.shot("confirm")
        await self.tap("confirm.get_ticket")
        self.expect(reaching)

    def printed_ticket_matches_hub(self) -> None:
        ticket, printed = self.service.session.ticket, self.printer.tickets
        if ticket is None or not printed or printed[-1].queue_number != ticket.number:
            raise DemoStepError(f"{self.scenario}: the printed number is not the one the hub issued")

    async def finish(self) -> None:
        await self.tap("app.finish")
        self.expect(Step.HOME)


Scenario = Callable[[Walk], Awaitable[None]]


class AtVisitType(Protocol):
    """What `expect_answer` needs of a walk: the demo's `Walk`, or the headless one the outage tests use."""

    service: FlowService
    scenario: str

    def expect(self, step: Step) -> None: ...


def expect_answer(w: AtVisitType, holds: Callable[[EntitlementAnswer], bool], why: str) -> None:
    """The patient is registered (visit-type screen) and the BHXH's answer is the one the scenario is about."""
    w.expect(Step.VISIT_TYPE)
    answer = w.service.session.entitlement
    if answer is None or not holds(answer):
        raise DemoStepError(f"{w.scenario}: {why}")
