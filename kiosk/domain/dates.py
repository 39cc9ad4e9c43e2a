"""Dates as Vietnamese documents write them, and the kiosk's calendar day (Asia/Ho_Chi_Minh).

Documents print day-first dates (`01021989` on the CCCD QR, `01/02/1989` on the BHYT card); insurance cards of
people whose exact birthday is unknown carry only `1989` or `02/1989`, which `PartialDate` keeps as it is.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from kiosk.domain.errors import DomainParseError

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Nobody alive was born before this; anything earlier is a misread, not a patient.
EARLIEST_YEAR = 1880
LATEST_YEAR = 2199

# re.ASCII: \d would otherwise accept Arabic-Indic and other digits that int() happily converts.
_COMPACT = re.compile(r"(\d{2})(\d{2})(\d{4})", re.ASCII)
_SLASHED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.ASCII)
_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{4})", re.ASCII)
_YEAR = re.compile(r"\d{4}", re.ASCII)
_ISO_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)


def local_date(moment: datetime) -> date:
    """The calendar day in Vietnam at `moment`; a naive datetime is refused because its zone is a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("local_date needs an aware datetime")
    return moment.astimezone(VN_TZ).date()


def make_date(year: int, month: int, day: int) -> date:
    """A real calendar date within the years documents can carry, or DomainParseError("bad_date")."""
    if not EARLIEST_YEAR <= year <= LATEST_YEAR or not 1 <= month <= 12:
        raise DomainParseError("bad_date")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise DomainParseError("bad_date")
    return date(year, month, day)


def parse_compact_date(text: str) -> date:
    """`ddmmyyyy`, as on the CCCD QR."""
    match = _COMPACT.fullmatch(text.strip())
    if match is None:
        raise DomainParseError("bad_date")
    day, month, year = (int(g) for g in match.groups())
    return make_date(year, month, day)


def parse_slashed_date(text: str) -> date:
    """`dd/mm/yyyy`, as on the BHYT card, in DG13 and in the gateway's answers."""
    match = _SLASHED.fullmatch(text.strip())
    if match is None:
        raise DomainParseError("bad_date")
    day, month, year = (int(g) for g in match.groups())
    return make_date(year, month, day)


@dataclass(frozen=True)
class PartialDate:
    """A date of birth that may be known only to the year or the month (BHYT cards of older people)."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise DomainParseError("bad_date")
        make_date(self.year, 1 if self.month is None else self.month, 1 if self.day is None else self.day)

    @classmethod
    def of(cls, day: date) -> PartialDate:
        return cls(day.year, day.month, day.day)

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def full(self) -> date | None:
        """The exact date when the day is known."""
        if self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)

    def earliest(self) -> date:
        """The first day the partial date can mean (the oldest the person can be)."""
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        """The last day the partial date can mean (the youngest the person can be)."""
        month = self.month or 12
        return date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])


def parse_partial_date(text: str) -> PartialDate:
    """`dd/mm/yyyy`, `mm/yyyy` or `yyyy`, as the BHYT card and the gateway write a date of birth.

    A `00` day or month is read as "unknown" (confidence L: some registers pad that way instead of dropping it).
    """
    stripped = text.strip()
    if _YEAR.fullmatch(stripped):
        return PartialDate(int(stripped))
    month_year = _MONTH_YEAR.fullmatch(stripped)
    if month_year is not None:
        month = int(month_year.group(1))
        return PartialDate(int(month_year.group(2)), month or None)
    full = _SLASHED.fullmatch(stripped)
    if full is not None and (int(full.group(1)) == 0 or int(full.group(2)) == 0):
        day, month = int(full.group(1)), int(full.group(2))
        return PartialDate(int(full.group(3)), month or None, (day or None) if month else None)
    return PartialDate.of(parse_slashed_date(stripped))


def parse_iso_partial_date(text: str) -> PartialDate:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD`, as the Kiosk HIS API writes a date of birth (`PartialDate.iso`)."""
    match = _ISO_PARTIAL.fullmatch(text.strip())
    if match is None:
        raise DomainParseError("bad_date")
    year, month, day = match.groups()
    return PartialDate(int(year), int(month) if month else None, int(day) if day else None)


def years_between(earlier: date, later: date) -> int:
    """Completed years from `earlier` to `later` (age on a day); a 29 February birthday counts from 1 March."""
    years = later.year - earlier.year
    if (later.month, later.day) < (earlier.month, earlier.day):
        years -= 1
    return years
