"""Opening hours as IT writes them in a file or the console, and as the Kiosk HIS API sends them.

Text: `T2-T6 07:00-11:30, 13:00-16:30; T7 07:00-11:30` — day groups separated by `;`, each its days (T2…T7, CN,
or Mon…Sun, or 1…7 for Monday…Sunday; a range `T2-T6` or a list `T2,T4,T6`) and its time ranges. `24:00` closes
at midnight (`T2-CN 00:00-24:00`: always open). The API form is a list of {days, opens, closes}.
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import Any

from kiosk_hub.explain import Bilingual

_VI = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
_EN = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
DAYS = {name: n for names in (_VI, _EN) for n, name in enumerate(names, start=1)} | {str(n): n for n in range(1, 8)}
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
_GROUP = re.compile(r"^\s*(?P<days>[^\s]+)\s+(?P<times>.+?)\s*$")


class HoursError(ValueError):
    """Opening hours that do not read; `words` says why in both languages."""

    def __init__(self, words: Bilingual) -> None:
        super().__init__(words.en)
        self.words = words


def parse_hours(text: str) -> list[dict[str, Any]]:
    """The periods the text describes, in its order; HoursError if any part does not read."""
    periods: list[dict[str, Any]] = []
    for group in (g for g in text.split(";") if g.strip()):
        found = _GROUP.match(group)
        if found is None:
            raise HoursError(Bilingual(f"thiếu giờ sau '{group.strip()}'", f"no times after '{group.strip()}'"))
        days = _days(found["days"])
        for span in found["times"].split(","):
            opens, closes = _span(span.strip())
            periods.append({"days": days, "opens": opens, "closes": closes})
    if not periods:
        raise HoursError(Bilingual("chưa có giờ mở cửa", "no opening hours given"))
    return periods


def _days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.upper().split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise HoursError(
                Bilingual(f"'{part}' không phải ngày (T2…T7, CN)", f"'{part}' is not a day (Mon…Sun, T2…CN)")
            )
        start, end = DAYS[first], DAYS[last or first]
        if end < start:
            raise HoursError(
                Bilingual(f"'{part}': ngày đầu sau ngày cuối", f"'{part}': the first day is after the last")
            )
        days.extend(d for d in range(start, end + 1) if d not in days)
    return sorted(days)


def _span(text: str) -> tuple[str, str]:
    opens, _, closes = text.partition("-")
    opens, closes = opens.strip(), closes.strip()
    for moment in (opens, closes):
        if not _TIME.match(moment) or moment == opens == "24:00":
            raise HoursError(Bilingual(f"'{text}': giờ viết HH:MM-HH:MM", f"'{text}': write times as HH:MM-HH:MM"))
    if opens >= closes:
        raise HoursError(
            Bilingual(f"'{text}': giờ mở phải trước giờ đóng", f"'{text}': opening must come before closing")
        )
    return opens, closes


def format_hours(periods: list[dict[str, Any]]) -> str:
    """The text form, periods with the same days written once: `T2-T6 07:00-11:30, 13:00-16:30; T7 07:00-11:30`."""
    groups = []
    for days, same in groupby(periods, key=lambda p: tuple(p["days"])):
        spans = ", ".join(f"{p['opens']}-{p['closes']}" for p in same)
        groups.append(f"{_day_text(list(days))} {spans}")
    return "; ".join(groups)


def _day_text(days: list[int]) -> str:
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(_VI[r[0] - 1] if len(r) == 1 else f"{_VI[r[0] - 1]}-{_VI[r[-1] - 1]}" for r in runs)
