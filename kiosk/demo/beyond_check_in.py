"""Walkthrough scenarios beside checking in: a patient looking up their benefit, a patient who walks away (the
idle warning, then home), and the staff's hidden maintenance screen."""

from __future__ import annotations

from kiosk.demo.devices import chip_identity, demo_card
from kiosk.demo.walk import DemoStepError, Walk
from kiosk.flow.events import CardPresented, Tick
from kiosk.flow.state import Step


async def benefit_lookup(w: Walk) -> None:
    await w.tap("home.benefit_lookup")
    await w.present(CardPresented(chip_identity(demo_card("000"))))
    w.expect(Step.BENEFIT)
    await w.shot("benefit")
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
