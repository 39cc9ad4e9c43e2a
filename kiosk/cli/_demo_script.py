"""The scripted walkthrough of `kiosk demo --script`: patients touch the real screens over the embedded hub.

Each scenario drives the Kivy app with taps in window coordinates and simulated card/QR events, checks what the
flow, the hub and the printer did, and saves a PNG of every screen it passes. Any step that does not behave
fails the walkthrough (exit code 1).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.cli._demo_devices import (
    DemoClock,
    DemoPrinter,
    Devices,
    bhyt_qr_text,
    cccd_qr_text,
    chip_card,
    chip_identity,
    demo_card,
)
from kiosk.domain.dates import VN_TZ
from kiosk.domain.priority import PriorityReason
from kiosk.domain.ticket import Lane, VisitType
from kiosk.embedded_hub import EmbeddedHub
from kiosk.flow.events import CardPresented, CardRemoved, QrScanned, Tick
from kiosk.flow.records import IdentitySource
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.i18n.catalogue import translate
from kiosk.offline.demo_outage import hub_outage


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

    async def take_ticket(self, visit_key: str) -> None:
        """Visit type → first open department → confirm → ticket; leaves the kiosk on the ticket screen."""
        await self.tap(visit_key)
        self.expect(Step.DEPARTMENT)
        await self.shot("department")
        first_open = next(d for d in self.service.session.departments if d.open_now)
        await self.tap(first_open.name.pick(self.service.session.language))
        self.expect(Step.CONFIRM)
        await self.shot("confirm")
        await self.tap("confirm.get_ticket")

    def printed_ticket_matches_hub(self) -> None:
        ticket, printed = self.service.session.ticket, self.printer.tickets
        if ticket is None or not printed or printed[-1].queue_number != ticket.number:
            raise DemoStepError(f"{self.scenario}: the printed number is not the one the hub issued")

    async def finish(self) -> None:
        await self.tap("app.finish")
        self.expect(Step.HOME)


Scenario = Callable[[Walk], Awaitable[None]]


async def chip_check_in(w: Walk) -> None:
    await w.shot("home")
    card = demo_card("000")
    w.devices.reader.insert_card(chip_card(card))  # the CCCD on the reader: its chip needs the QR's facts
    await w.settle()
    if w.service.session.notice_key != "identify.show_card_qr":
        raise DemoStepError("a card on the reader must ask for its QR")
    await w.shot("card-on-reader")
    w.devices.bridge.qr_scanned(cccd_qr_text(card))
    await w.settle()
    w.expect(Step.VISIT_TYPE)
    identity = w.service.session.identity
    if identity is None or identity.source != IdentitySource.CHIP:
        raise DemoStepError("the chip, opened with the QR's facts, must identify the patient")
    await w.shot("visit-type")
    await w.take_ticket("visit.bhyt")
    w.expect(Step.DONE)
    w.printed_ticket_matches_hub()
    await w.shot("ticket")
    w.devices.reader.remove_card()  # the patient takes the card: the session is wiped
    await w.settle()
    w.expect(Step.HOME)


async def cccd_qr_check_in(w: Walk) -> None:
    await w.present(QrScanned(cccd_qr_text(demo_card("000", 1))))  # born 1948: priority by age
    w.expect(Step.VISIT_TYPE)
    await w.take_ticket("visit.bhyt")
    w.expect(Step.DONE)
    w.printed_ticket_matches_hub()
    if w.printer.tickets[-1].lane != Lane.PRIORITY:
        raise DemoStepError("a patient aged 75+ must get a priority number")
    await w.shot("ticket")
    await w.finish()


async def bhyt_qr_check_in_in_english(w: Walk) -> None:
    await w.tap("home.check_in")
    w.expect(Step.IDENTIFY)
    await w.tap("app.language_switch")
    await w.shot("identify-en")
    await w.present(QrScanned(bhyt_qr_text(demo_card("000", 2))))  # a child under 6
    w.expect(Step.VISIT_TYPE)
    await w.shot("visit-type-en")
    await w.take_ticket("visit.bhyt")
    w.expect(Step.DONE)
    if PriorityReason.CHILD_UNDER_6 not in w.service.session.priority:
        raise DemoStepError("a child under 6 must be a priority patient")
    await w.shot("ticket-en")
    await w.finish()


async def expired_card_pays(w: Walk) -> None:
    await w.present(CardPresented(chip_identity(demo_card("010"))))
    w.expect(Step.ENTITLEMENT_PROBLEM)
    await w.shot("card-expired")
    await w.take_ticket("visit.fee")
    w.expect(Step.DONE)
    if w.printer.tickets[-1].visit_type != VisitType.FEE_PAYING:
        raise DemoStepError("an expired card's visit must be fee-paying")
    await w.finish()


async def new_card_issued_early(w: Walk) -> None:
    await w.present(CardPresented(chip_identity(demo_card("004"))))
    w.expect(Step.VISIT_TYPE)
    answer = w.service.session.entitlement
    if answer is None or not answer.new_card_applied:
        raise DemoStepError("004: the new card must be used")
    await w.shot("new-card")
    await w.take_ticket("visit.bhyt")
    w.expect(Step.DONE)
    await w.finish()


async def gateway_outage(w: Walk) -> None:
    w.hub.gateway.faults.down = True
    try:
        await w.present(CardPresented(chip_identity(demo_card("000", 3))))
    finally:
        w.hub.gateway.faults.down = False
    w.expect(Step.VISIT_TYPE)
    answer = w.service.session.entitlement
    if answer is None or not answer.to_recheck:
        raise DemoStepError("gateway down: the patient is registered and the card marked to re-check")
    await w.shot("gateway-down")
    await w.take_ticket("visit.bhyt")
    w.expect(Step.DONE)
    await w.finish()


async def revoked_card_to_desk(w: Walk) -> None:
    await w.present(CardPresented(chip_identity(demo_card("110"))))
    w.expect(Step.DESK)
    if not w.printer.slips or w.printer.slips[-1].reason_code != "bhxh_110":
        raise DemoStepError("a revoked card gets a desk slip with the reason")
    await w.shot("desk")
    await w.finish()


async def benefit_lookup(w: Walk) -> None:
    await w.tap("home.benefit_lookup")
    await w.present(CardPresented(chip_identity(demo_card("000"))))
    w.expect(Step.BENEFIT)
    await w.shot("benefit")
    await w.finish()


async def appointment_qr_check_in(w: Walk) -> None:
    """A booking's QR: too early for tomorrow's, then today's checked in and its ticket printed (demo HIS bookings)."""
    await w.tap("home.check_in")
    w.expect(Step.IDENTIFY)
    await w.present(QrScanned("DEMO-TOMORROW"))
    w.expect(Step.IDENTIFY)
    if w.service.session.notice_key != "appointment.too_early":
        raise DemoStepError("tomorrow's booking must say it is too early, on the identify screen")
    await w.shot("booking-too-early")
    await w.present(QrScanned("DEMO-NOW"))
    w.expect(Step.CONFIRM)
    await w.shot("booking-confirm")
    from kiosk.screens.pilot import texts

    booking = w.service.session.appointment
    booked_at = booking.starts_at.astimezone(VN_TZ).strftime("%H:%M") if booking else "?"
    if not any(booked_at in text for text in texts(w.root)):
        raise DemoStepError("the confirm screen must show the time the patient booked")
    await w.tap("confirm.get_ticket")
    w.expect(Step.DONE)
    w.printed_ticket_matches_hub()
    await w.shot("booking-ticket")
    await w.finish()


async def same_day_reprint(w: Walk) -> None:
    first = next(t for t in w.printer.tickets if t.patient_display_name == demo_card("000").full_name)
    await w.present(CardPresented(chip_identity(demo_card("000"))))
    await w.take_ticket("visit.bhyt")
    w.expect(Step.DONE)
    ticket = w.service.session.ticket
    if ticket is None or not ticket.reprint or ticket.number != first.queue_number:
        raise DemoStepError("the same patient, same department, same day: the existing ticket is reprinted")
    await w.shot("reprint")
    await w.finish()


async def idle_timeout(w: Walk) -> None:
    await w.tap("home.check_in")
    w.expect(Step.IDENTIFY)
    w.clock.skip(w.service.config.idle_after_s)
    w.service.dispatch(Tick())
    await w.settle()
    if w.service.session.idle_warning_since is None:
        raise DemoStepError("no idle warning after the idle time")
    await w.shot("idle-warning")
    w.clock.skip(w.service.config.warning_s)
    w.service.dispatch(Tick())
    await w.settle()
    w.expect(Step.HOME)


async def paper_out(w: Walk) -> None:
    w.printer.paper_out = True
    try:
        await w.present(CardPresented(chip_identity(demo_card("003"))))
        w.expect(Step.VISIT_TYPE)
        tickets_before = len(w.printer.tickets)
        await w.take_ticket("visit.bhyt")
        w.expect(Step.PRINTER_NOT_READY)  # found before the number is taken (issue 5)
        if w.service.session.ticket is not None or w.service.session.notice_key != "printer.paper_out":
            raise DemoStepError("paper out: the patient is told before a number is taken")
        await w.shot("printer-not-ready")
        await w.tap("ticket.show_on_screen")
        w.expect(Step.SCREEN_TICKET)
        if w.service.session.ticket is None or len(w.printer.tickets) != tickets_before:
            raise DemoStepError("paper out: the hub's number is shown on screen, nothing is sent to the printer")
        await w.shot("ticket-on-screen")
    finally:
        w.printer.paper_out = False
    await w.finish()


async def maintenance(w: Walk) -> None:
    from kiosk.screens.pilot import tap_widget

    for _ in range(5):
        tap_widget(w.root.ids.hospital)  # the hidden door: five quick taps on the hospital's name
    await w.settle()
    w.expect(Step.MAINTENANCE_PIN)
    for digit in "2468":
        await w.tap(digit)
    await w.tap("identify.submit")
    w.expect(Step.MAINTENANCE)
    await w.tap("maintenance.test_print")
    if not w.printer.slips or w.printer.slips[-1].reason_code != "test_print":
        raise DemoStepError("the test print did not reach the printer")
    await w.shot("maintenance")
    await w.tap("maintenance.close")
    w.expect(Step.HOME)


SCENARIOS: tuple[Scenario, ...] = (
    chip_check_in,
    cccd_qr_check_in,
    bhyt_qr_check_in_in_english,
    expired_card_pays,
    new_card_issued_early,
    gateway_outage,
    hub_outage,
    revoked_card_to_desk,
    benefit_lookup,
    appointment_qr_check_in,
    same_day_reprint,
    idle_timeout,
    paper_out,
    maintenance,
)


async def walkthrough(w: Walk) -> list[tuple[str, str | None]]:
    """Every scenario in order; (name, None) when it behaved, (name, why) when not."""
    from kiosk.screens.pilot import frames

    await frames(10)  # the first frame comes ~0.3 s after start
    results: list[tuple[str, str | None]] = []
    for scenario in SCENARIOS:
        w.scenario = scenario.__name__.replace("_", "-")
        try:
            await asyncio.wait_for(scenario(w), timeout=60)
            results.append((w.scenario, None))
        except (DemoStepError, LookupError, TimeoutError) as exc:
            results.append((w.scenario, str(exc) or type(exc).__name__))
            w.service.dispatch(CardRemoved())
            from kiosk.flow.events import Cancel

            w.service.dispatch(Cancel())
            await w.settle()
    return results
