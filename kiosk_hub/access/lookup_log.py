"""Reading the patient-lookup access log: filtered by kiosk, kind, local days and identifier hash, newest first;
and as CSV for the hospital's data-protection records."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kiosk.domain.dates import VN_TZ
from kiosk_hub.access.models import PatientLookupEntry
from kiosk_hub.db.engine import as_utc
from kiosk_hub.db.models import Kiosk

CSV_HEADER = ("at_utc", "kiosk_id", "kiosk_name", "identifier_kind", "identifier_hash", "found")


@dataclass(frozen=True)
class LogFilter:
    kiosk_id: str = ""
    kind: str = ""
    since: date | None = None  # local days (Asia/Ho_Chi_Minh), both included
    until: date | None = None
    hashes: tuple[str, ...] = field(default=())  # an identifier's keyed hashes (one per kind it may be)

    def query(self) -> Select[PatientLookupEntry, str]:
        query = select(PatientLookupEntry, Kiosk.name).outerjoin(Kiosk, Kiosk.id == PatientLookupEntry.kiosk_id)
        if self.kiosk_id:
            query = query.where(PatientLookupEntry.kiosk_id == self.kiosk_id)
        if self.kind:
            query = query.where(PatientLookupEntry.kind == self.kind)
        if self.since is not None:
            query = query.where(PatientLookupEntry.at >= _day_start(self.since))
        if self.until is not None:
            query = query.where(PatientLookupEntry.at < _day_start(self.until + timedelta(days=1)))
        if self.hashes:
            query = query.where(PatientLookupEntry.identifier_hash.in_(self.hashes))
        return query.order_by(PatientLookupEntry.id.desc())


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=VN_TZ).astimezone(UTC)


@dataclass(frozen=True)
class LogLine:
    at: datetime
    kiosk_id: str
    kiosk_name: str
    kind: str
    identifier_hash: str
    found: bool


def read_log(session: Session, log_filter: LogFilter, limit: int | None = 500) -> list[LogLine]:
    query = log_filter.query()
    if limit is not None:
        query = query.limit(limit)
    return [
        LogLine(as_utc(e.at), e.kiosk_id, name or "", e.kind, e.identifier_hash, e.found)
        for e, name in session.execute(query)
    ]


def csv_chunks(session: Session, log_filter: LogFilter, batch: int = 1000) -> Iterator[str]:
    """The whole filtered log as CSV text, a batch of rows at a time (a year of lookups does not sit in memory)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for e, name in session.execute(log_filter.query().execution_options(yield_per=batch)):
        writer.writerow(
            (as_utc(e.at).isoformat(), e.kiosk_id, name or "", e.kind, e.identifier_hash, "1" if e.found else "0")
        )
        if out.tell() > 64 * 1024:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
