"""What the voice says for a session on screen: the step, its notice, its details (the ticket above all) and choices.

Pure text from the flow's session. Names and ID numbers are never spoken: the loudspeaker is heard by the whole
hall, and the patient knows who they are.
"""

from __future__ import annotations

from kiosk.domain.payment_state import PaymentState
from kiosk.domain.ticket import Lane, VisitType
from kiosk.flow.records import CASHIER_REASONS, DepartmentChoice, IssuedTicket
from kiosk.flow.state import Session, Step
from kiosk.speech.keypad import FocusRing
from kiosk.speech.navigator import DEPARTMENT_PREFIX, Choice
from kiosk.speech.prompts import choice_text, fragment, notice_text, phrase, step_text

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Steps whose notice is said before the step's own prompt (it explains why the patient is there).
_NOTICE_FIRST = frozenset({Step.IDENTIFY, Step.HOME})


def ticket_sentences(ticket: IssuedTicket, language: str) -> list[str]:
    """The ticket as heard: number, lane, where to go, the wait. Numbers are words ("mười hai")."""
    said = [phrase("ticket.number", language, number=ticket.number)]
    if ticket.reprint:
        said.append(phrase("ticket.reprint", language))
    if ticket.provisional:
        pending = "ticket.provisional_bhyt" if ticket.visit == VisitType.BHYT else "ticket.provisional"
        said.append(phrase(pending, language))
    if ticket.payment is not None:
        key = "ticket.paid" if ticket.payment.paid else "ticket.unpaid"
        said.append(phrase(key, language, amount=ticket.payment.amount_vnd))
    if ticket.lane == Lane.PRIORITY:
        said.append(phrase("ticket.priority", language))
    room = ticket.room_name.pick(language) if ticket.room_name else ""
    location = ticket.room_location.pick(language) if ticket.room_location else ""
    department = ticket.department_name.pick(language)
    said.append(phrase("ticket.where", language, department=department, room=room, location=location))
    if ticket.position is not None and ticket.wait_estimate_minutes is not None:
        said.append(phrase("ticket.position", language, count=ticket.position, minutes=ticket.wait_estimate_minutes))
    return [s.replace(", ,", ",").replace(", .", ".") for s in said]


def department_text(department: DepartmentChoice, language: str) -> str:
    name, location = department.name.pick(language), department.location.pick(language)
    if not department.open_now:
        return phrase("department.item_closed", language, name=name)
    count, minutes = department.queue_length, department.wait_estimate_minutes
    return phrase("department.item", language, name=name, location=location, count=count, minutes=minutes)


def choice_label(choice: Choice, session: Session) -> str:
    language = session.language
    if choice.id.startswith(DEPARTMENT_PREFIX):
        wanted = choice.id.removeprefix(DEPARTMENT_PREFIX)
        found = next((d for d in session.departments if d.id == wanted), None)
        return department_text(found, language) if found else wanted
    return choice_text(choice.id, language)


def focus_text(ring: FocusRing[Choice], session: Session) -> str:
    choice = ring.focused
    if choice is None:
        return ""
    index, count = ring.position
    label = choice_label(choice, session).rstrip(".")
    if count == 1:
        return label + "."
    return phrase("focus.position", session.language, label=label, index=index, count=count)


def _details(session: Session) -> list[str]:
    language, step = session.language, session.step
    if step in (Step.DONE, Step.SCREEN_TICKET) and session.ticket is not None:
        return ticket_sentences(session.ticket, language)
    if step == Step.DEPARTMENT and not session.departments:
        return [phrase("department.loading", language)]
    if step == Step.VISIT_TYPE and session.entitlement is not None:
        return [notice_text(session.entitlement.message_key, language)]
    if step == Step.CONFIRM and session.department is not None:
        visit = fragment("confirm.visit_bhyt" if session.visit == VisitType.BHYT else "confirm.visit_fee", language)
        department = session.department.name.pick(language)
        return [phrase("confirm.summary", language, visit=visit, department=department), *_fee(session)]
    if step == Step.PAYING and session.payment is not None:
        return _paying(session)
    if step == Step.BENEFIT:
        return _benefit(session)
    return []


def _fee(session: Session) -> list[str]:
    fee = session.fee
    if session.visit != VisitType.FEE or fee is None:
        return []
    if session.takes_payment and fee.amount_vnd:
        return [phrase("confirm.fee", session.language, amount=fee.amount_vnd)]
    return [phrase("confirm.fee_at_cashier", session.language)] if fee.reason in CASHIER_REASONS else []


def _paying(session: Session) -> list[str]:
    payment, language = session.payment, session.language
    assert payment is not None
    said = [phrase("payment.amount", language, amount=payment.amount_vnd)]
    if payment.account_name:
        said.append(phrase("payment.account", language, name=payment.account_name))
    if payment.state == PaymentState.PAID:
        said.append(phrase("payment.confirmed", language))
    elif session.payment_deadline is not None:
        minutes = max(1, round(payment.expires_in_s / 60))
        said.append(phrase("payment.time_left", language, minutes=minutes))
    return said


def _benefit(session: Session) -> list[str]:
    language, answer = session.language, session.entitlement
    if answer is None:
        return []
    said = [] if session.notice_key else [notice_text(answer.message_key, language)]
    if answer.benefit_percent is not None:
        said.append(phrase("benefit.percent", language, percent=answer.benefit_percent))
    if answer.valid_to is not None:
        day = answer.valid_to
        english = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
        said.append(phrase("benefit.valid_to", language, day=day.day, month=day.month, year=day.year, date=english))
    if answer.registered_here is not None:
        said.append(phrase("benefit.here" if answer.registered_here else "benefit.elsewhere", language))
    return said


def screen_text(session: Session, ring: FocusRing[Choice]) -> str:
    """Everything said when a screen appears: in order, the notice or step, details, then the focused choice."""
    language = session.language
    notice = [notice_text(session.notice_key, language)] if session.notice_key else []
    heading = [step_text(session.step, language)]
    if session.step == Step.DESK and not session.printed:
        heading = [phrase("desk.not_printed", language)]
    if session.step in (Step.DONE, Step.SCREEN_TICKET):
        parts = _details(session) + heading  # the number first: it is what the patient came for
    else:
        parts = notice + heading if session.step in _NOTICE_FIRST else heading + notice
        parts += _details(session)
    parts.append(focus_text(ring, session))
    return " ".join(p for p in parts if p)


def idle_text(session: Session, seconds_left: int) -> str:
    return phrase("idle.warning", session.language, seconds=max(0, seconds_left))
