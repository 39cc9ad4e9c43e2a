"""The console's payments pages: a day's reconciliation (counts, money per department, payments, the bank's
transfers, the silent-feed alerts) and its CSV for the bank statement, for viewers and admins; an admin records a
refund made at the desk and keeps the exam price list. Amounts, references and codes only, never a patient's data."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from kiosk.domain.dates import local_date
from kiosk.domain.ticket import VisitType
from kiosk_hub.access.principals import AdminChange, ConsoleReader
from kiosk_hub.db.models import Department
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.console.web import form_text, hub_of, render
from kiosk_hub.payments.fees import price_list, set_price
from kiosk_hub.payments.models import BankFeed, Payment, PaymentAlert
from kiosk_hub.payments.reconcile import day_report, statement_csv

router = APIRouter(prefix="/fleet/payments", include_in_schema=False)
MAX_PRICE_VND = 100_000_000


def _day(text: str | None, today: date) -> date:
    try:
        return date.fromisoformat(text) if text else today
    except ValueError:
        return today


@router.get("")
def payments_page(request: Request, user: ConsoleReader, day: str | None = None) -> Response:
    hub = hub_of(request)
    chosen = _day(day, local_date(hub.clock()))
    with hub.reader() as session:
        report = day_report(session, chosen)
        alerts = list(session.scalars(select(PaymentAlert).where(PaymentAlert.open_code.is_not(None))))
        feed = session.get(BankFeed, hub.payments.gateway.name) if hub.payments.gateway else None
        return render(
            request,
            "payments.html",
            user=user,
            report=report,
            alerts=alerts,
            feed=feed,
            enabled=hub.payments.book.enabled,
        )


@router.get("/statement.csv")
def statement(request: Request, _user: ConsoleReader, day: str | None = None) -> Response:
    hub = hub_of(request)
    chosen = _day(day, local_date(hub.clock()))
    with hub.reader() as session:
        text = statement_csv(session, chosen)
    disposition = f'attachment; filename="thanh-toan-{chosen.isoformat()}.csv"'
    # A BOM so that a spreadsheet opens the Vietnamese memos as UTF-8.
    return Response("\ufeff" + text, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition})


@router.post("/refunded")
def refunded(request: Request, change: AdminChange) -> Response:
    """The desk paid back what a payment owed (a second transfer, a wrong amount, money no ticket came of)."""
    hub = hub_of(request)
    payment_id = form_text(change.form, "payment")[:36]
    with hub.writer() as session:
        payment = session.get(Payment, payment_id)
        if payment is not None and payment.refund_due_vnd and payment.refunded_at is None:
            payment.refunded_at, payment.refunded_by = hub.clock(), change.user.username
            audit.record(
                session,
                hub.clock(),
                change.user.username,
                "payments.refunded",
                payment.reference,
                amount_vnd=payment.refund_due_vnd,
            )
        session.commit()
        day = payment.day.isoformat() if payment is not None else ""
    return RedirectResponse(f"/fleet/payments?day={day}", status_code=303)


@router.get("/prices")
def prices_page(request: Request, user: ConsoleReader, saved: int = 0, problem: int = 0) -> Response:
    hub = hub_of(request)
    with hub.reader() as session:
        prices = price_list(session)
        departments = session.execute(select(Department.id, Department.name_vi).order_by(Department.sort_order)).all()
        return render(
            request,
            "prices.html",
            422 if problem else 200,
            user=user,
            prices=prices,
            saved=saved,
            problem=problem,
            departments=departments,
            visit_types=[v.value for v in VisitType],
        )


@router.post("/prices")
def save_price(request: Request, change: AdminChange) -> Response:
    hub = hub_of(request)
    form = change.form
    department, visit = form_text(form, "department_id").strip()[:32], form_text(form, "visit_type")
    amount_text = form_text(form, "amount_vnd").replace(".", "").replace(",", "").strip()
    code, name = form_text(form, "service_code").strip()[:64], form_text(form, "service_name").strip()[:200]
    valid_visit = visit in {v.value for v in VisitType}
    amount = int(amount_text) if amount_text.isdigit() else None
    removing = amount_text == "" and bool(department) and valid_visit
    if not removing and not (
        department and valid_visit and amount is not None and amount <= MAX_PRICE_VND and code and name
    ):
        return RedirectResponse("/fleet/payments/prices?problem=1", status_code=303)
    with hub.writer() as session:
        set_price(session, department, VisitType(visit), amount, (code, name), change.user.username, hub.clock())
        audit.record(
            session, hub.clock(), change.user.username, "payments.price", f"{department}/{visit}", amount_vnd=amount
        )
        session.commit()
    return RedirectResponse("/fleet/payments/prices?saved=1", status_code=303)
