"""The analytics charts as SVG, drawn by pygal: tickets issued per hour (stacked by department) and the waits'
p50 and p90 per department and lane. Self-contained files: no script (pygal's tooltips load one from the web)."""

from __future__ import annotations

import sys

import pygal
from pygal.style import Style

from kiosk_hub.analytics.figures import QueueDay

# pygal adds a finder to sys.meta_path for its map plugins (pygal.maps.*, not used here) written against the
# find_module API Python 3.12 removed: every later import in the process warns (an error under strict warnings).
sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]

STYLE = Style(background="white", plot_background="white", font_family="Roboto, DejaVu Sans, sans-serif")
FIRST_HOUR, LAST_HOUR = 5, 21  # a clinic's day, widened to any hour that had tickets (an emergency department)


def _config(title: str) -> dict[str, object]:
    return {"title": title, "style": STYLE, "js": [], "width": 900, "height": 420, "legend_at_bottom": True,
            "print_values": False, "disable_xml_declaration": False}  # fmt: skip


def tickets_per_hour(by_department: dict[str, list[int]], title: str) -> bytes:
    busy = [h for hours in by_department.values() for h, count in enumerate(hours) if count]
    first, last = min([FIRST_HOUR, *busy]), max([LAST_HOUR, *busy])
    chart = pygal.StackedBar(**_config(title))
    chart.x_labels = [f"{h:02d}h" for h in range(first, last + 1)]
    for department_id, hours in by_department.items():
        chart.add(department_id, hours[first : last + 1])
    rendered: bytes = chart.render()
    return rendered


def waits(rows: list[QueueDay], title: str, lane_words: dict[str, str]) -> bytes:
    chart = pygal.HorizontalBar(**_config(title))
    chart.x_labels = [f"{r.department_id} · {lane_words.get(r.lane, r.lane)}" for r in rows]
    chart.add("p50", [_rounded(r.wait(50)) for r in rows])
    chart.add("p90", [_rounded(r.wait(90)) for r in rows])
    rendered: bytes = chart.render()
    return rendered


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
