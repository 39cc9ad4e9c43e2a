"""The console's queue analytics (`/fleet/analytics`, admins and viewers): the page, its two charts (SVG) and the
CSV export, over a span of local days and optionally one department."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi import APIRouter, Request, Response

from kiosk.domain.dates import local_date
from kiosk_hub.access.principals import ConsoleReader
from kiosk_hub.analytics import charts
from kiosk_hub.analytics.figures import (
    LONGEST_SPAN_DAYS,
    QueueDay,
    by_department_and_lane,
    issued_by_hour,
    queue_days,
)
from kiosk_hub.fleet.console.i18n import translator
from kiosk_hub.fleet.console.web import hub_of, language, render

router = APIRouter(prefix="/fleet/analytics", include_in_schema=False)
DEFAULT_DAYS = 7
# The charts are images: no script runs in them, and their own styles must apply.
SVG_POLICY = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


@dataclass(frozen=True)
class Span:
    first: date
    last: date
    department: str
    problem: str = ""

    def query(self) -> str:
        return f"from={self.first.isoformat()}&to={self.last.isoformat()}&department={self.department}"


def _span(request: Request) -> Span:
    """The days asked for (the last week by default); a bad or too long span falls back to it, with a problem."""
    today = local_date(hub_of(request).clock())
    default = Span(today - timedelta(days=DEFAULT_DAYS - 1), today, "")
    params = request.query_params
    department = params.get("department", "")[:32]
    try:
        first = date.fromisoformat(params["from"]) if params.get("from") else default.first
        last = date.fromisoformat(params["to"]) if params.get("to") else default.last
    except ValueError:
        return Span(default.first, default.last, department, "bad_date")
    if first > last or (last - first).days >= LONGEST_SPAN_DAYS:
        return Span(default.first, default.last, department, "bad_span")
    return Span(first, last, department)


def _days(request: Request, span: Span) -> list[QueueDay]:
    with hub_of(request).reader() as session:
        return queue_days(session, span.first, span.last, span.department or None)


@router.get("")
def analytics_page(request: Request, user: ConsoleReader) -> Response:
    span = _span(request)
    days = _days(request, span)
    rows = by_department_and_lane(days)
    status = 422 if span.problem else 200
    return render(request, "analytics.html", status, user=user, span=span, rows=rows, days=days,
                  total=sum(r.issued for r in rows))  # fmt: skip


@router.get("/tickets-per-hour.svg")
def tickets_per_hour_chart(request: Request, _user: ConsoleReader) -> Response:
    span = _span(request)
    t = translator(language(request))
    svg = charts.tickets_per_hour(issued_by_hour(_days(request, span)), t("analytics.per_hour"))
    return Response(svg, media_type="image/svg+xml", headers={"content-security-policy": SVG_POLICY})


@router.get("/waits.svg")
def waits_chart(request: Request, _user: ConsoleReader) -> Response:
    span = _span(request)
    t = translator(language(request))
    rows = by_department_and_lane(_days(request, span))
    lanes = {"normal": t("analytics.lane.normal"), "priority": t("analytics.lane.priority")}
    svg = charts.waits(rows, t("analytics.waits"), lanes)
    return Response(svg, media_type="image/svg+xml", headers={"content-security-policy": SVG_POLICY})


CSV_HEADER = ["day", "department_id", "lane", "issued", "called", "cancelled", "wait_p50_minutes",
              "wait_p90_minutes", *(f"issued_{h:02d}h" for h in range(24))]  # fmt: skip


@router.get(".csv")
def analytics_csv(request: Request, _user: ConsoleReader) -> Response:
    """One row per day, department and lane: counts and waits, no ticket and no patient."""
    span = _span(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for one in _days(request, span):
        p50, p90 = one.wait(50), one.wait(90)
        writer.writerow([one.day.isoformat(), one.department_id, one.lane, one.issued, one.called, one.cancelled,
                         "" if p50 is None else f"{p50:.1f}", "" if p90 is None else f"{p90:.1f}",
                         *one.issued_by_hour])  # fmt: skip
    name = f"queue-{span.first.isoformat()}-{span.last.isoformat()}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})  # fmt: skip
