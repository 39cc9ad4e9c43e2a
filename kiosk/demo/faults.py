"""Walkthrough scenarios where something is not as it should be and the patient still gets a clear way on: the
card (expired, replaced by a new one, revoked), the BHXH gateway down, the printer out of paper."""

from __future__ import annotations

from kiosk.demo.devices import chip_identity, demo_card
from kiosk.demo.walk import DemoStepError, Walk, expect_answer
from kiosk.domain.ticket import VisitType
from kiosk.flow.events import CardPresented
from kiosk.flow.state import Step


async def expired_card_pays(w: Walk) -> None:
    await w.present(CardPresented(chip_identity(demo_card("010"))))
    w.expect(Step.ENTITLEMENT_PROBLEM)
    await w.shot("card-expired")
    await w.take_ticket("visit.fee")
    if w.printer.tickets[-1].visit_type != VisitType.FEE:
        raise DemoStepError("an expired card's visit must be fee-paying")
    await w.finish()


async def new_card_issued_early(w: Walk) -> None:
    await w.present(CardPresented(chip_identity(demo_card("004"))))
    expect_answer(w, lambda answer: answer.new_card_applied, "004: the new card must be used")
    await w.shot("new-card")
    await w.take_ticket("visit.bhyt")
    await w.finish()


async def gateway_outage(w: Walk) -> None:
    w.hub.gateway.faults.down = True
    try:
        await w.present(CardPresented(chip_identity(demo_card("000", 3))))
    finally:
        w.hub.gateway.faults.down = False
    why = "gateway down: the patient is registered and the card marked to re-check"
    expect_answer(w, lambda answer: answer.to_recheck, why)
    await w.shot("gateway-down")
    await w.take_ticket("visit.bhyt")
    await w.finish()


async def revoked_card_to_desk(w: Walk) -> None:
    await w.present(CardPresented(chip_identity(demo_card("110"))))
    w.expect(Step.DESK)
    if not w.printer.slips or w.printer.slips[-1].reason_code != "bhxh_110":
        raise DemoStepError("a revoked card gets a desk slip with the reason")
    await w.shot("desk")
    await w.finish()


async def paper_out(w: Walk) -> None:
    w.printer.paper_out = True
    try:
        await w.present(CardPresented(chip_identity(demo_card("003"))))
        w.expect(Step.VISIT_TYPE)
        tickets_before = len(w.printer.tickets)
        await w.take_ticket("visit.bhyt", reaching=Step.PRINTER_NOT_READY)  # before the number is taken
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
