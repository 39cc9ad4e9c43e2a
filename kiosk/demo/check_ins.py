"""Walkthrough scenarios where a patient checks in and leaves with a queue number: by chip, by CCCD or BHYT QR, by
a booking's QR, and again the same day (the ticket is reprinted)."""

from __future__ import annotations

from kiosk.demo.devices import bhyt_qr_text, cccd_qr_text, chip_card, chip_identity, demo_card
from kiosk.demo.walk import DemoStepError, Walk
from kiosk.domain.dates import VN_TZ
from kiosk.domain.priority import PriorityReason
from kiosk.domain.ticket import Lane
from kiosk.flow.events import CardPresented, QrScanned
from kiosk.flow.records import IdentitySource
from kiosk.flow.state import Step


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
    w.printed_ticket_matches_hub()
    await w.shot("ticket")
    w.devices.reader.remove_card()  # the patient takes the card: the session is wiped
    await w.settle()
    w.expect(Step.HOME)


async def cccd_qr_check_in(w: Walk) -> None:
    await w.present(QrScanned.of(cccd_qr_text(demo_card("000", 1))))  # born 1948: priority by age
    w.expect(Step.VISIT_TYPE)
    await w.take_ticket("visit.bhyt")
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
    await w.present(QrScanned.of(bhyt_qr_text(demo_card("000", 2))))  # a child under 6
    w.expect(Step.VISIT_TYPE)
    await w.shot("visit-type-en")
    await w.take_ticket("visit.bhyt")
    if PriorityReason.CHILD_UNDER_6 not in w.service.session.priority:
        raise DemoStepError("a child under 6 must be a priority patient")
    await w.shot("ticket-en")
    await w.finish()


async def same_day_reprint(w: Walk) -> None:
    """Runs after `chip_check_in`: it reprints the ticket that scenario's patient already has."""
    first = next(t for t in w.printer.tickets if t.patient_display_name == demo_card("000").full_name)
    await w.present(CardPresented(chip_identity(demo_card("000"))))
    await w.take_ticket("visit.bhyt")
    ticket = w.service.session.ticket
    if ticket is None or not ticket.reprint or ticket.number != first.queue_number:
        raise DemoStepError("the same patient, same department, same day: the existing ticket is reprinted")
    await w.shot("reprint")
    await w.finish()


async def appointment_qr_check_in(w: Walk) -> None:
    """A booking's QR: too early for tomorrow's, then today's checked in and its ticket printed (demo HIS bookings)."""
    await w.tap("home.check_in")
    w.expect(Step.IDENTIFY)
    await w.present(QrScanned.of("DEMO-TOMORROW"))
    w.expect(Step.IDENTIFY)
    if w.service.session.notice_key != "appointment.too_early":
        raise DemoStepError("tomorrow's booking must say it is too early, on the identify screen")
    await w.shot("booking-too-early")
    await w.present(QrScanned.of("DEMO-NOW"))
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
