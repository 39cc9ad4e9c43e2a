"""Department files: CSV (one row per department, then one per room) and JSON, read with the line of every problem
and written back in the same shape, so an export imports again unchanged.

CSV as a Vietnamese spreadsheet saves it: UTF-8 with or without a BOM, comma or semicolon separated. A row with an
empty `room_id` is a department; a row with one is a room of the department named in `department_id`, which must
have its own row in the file. JSON: `{"departments": [{..., "rooms": [...]}]}` (or the list alone).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from kiosk_hub.catalogue.records import DepartmentRecord, RoomRecord
from kiosk_hub.explain import Bilingual, explain, field_path

COLUMNS = (
    "department_id", "room_id", "name_vi", "name_en", "location_vi", "location_en", "opening_hours", "lane_policy",
    "priority_every", "minutes_per_patient", "order", "active",
)  # fmt: skip
REQUIRED = ("department_id", "name_vi", "opening_hours")
DEPARTMENT_ONLY = ("opening_hours", "lane_policy", "priority_every", "minutes_per_patient", "order")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, where it is (`line` None: the file as a whole) and why."""

    line: int | None
    field: str
    words: Bilingual

    def text(self, lang: str) -> str:
        where = (f"Dòng {self.line}" if lang == "vi" else f"Line {self.line}") if self.line else ""
        where += (", " if where and self.field else "") + self.field
        return f"{where}: {self.words.pick(lang)}" if where else self.words.pick(lang)


@dataclass
class Reading:
    departments: list[DepartmentRecord] = field(default_factory=list)
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # ("department" | "room", id) → its line
    problems: list[Problem] = field(default_factory=list)

    def refuse(self, line: int | None, name: str, vi: str, en: str) -> None:
        self.problems.append(Problem(line, name, Bilingual(vi, en)))

    def place(self, kind: str, key: str, line: int, column: str) -> bool:
        """Note where an id is; False (and a problem) when the file already has it."""
        seen = self.lines.get((kind, key))
        if seen is None:
            self.lines[(kind, key)] = line
            return True
        what = ("khoa", "department") if kind == "department" else ("phòng", "room")
        self.refuse(line, column, f"mã {what[0]} '{key}' đã có ở dòng {seen}",
                    f"{what[1]} id '{key}' is already on line {seen}")  # fmt: skip
        return False


def read_file(data: bytes, name: str = "") -> Reading:
    """A CSV or JSON file (by its name, else by its first character)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        reading = Reading()
        reading.refuse(None, "", "Tệp không phải UTF-8: trong Excel hãy lưu dạng 'CSV UTF-8'.",
                       "The file is not UTF-8: save it as 'CSV UTF-8' in Excel.")  # fmt: skip
        return reading
    is_json = name.lower().endswith(".json") or (not name.lower().endswith(".csv") and text.lstrip()[:1] in ("[", "{"))
    return read_json(text) if is_json else read_csv(text)


def _validate(model: type[BaseModel], payload: dict[str, Any], line: int, reading: Reading, id_column: str) -> Any:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        for error in exc.errors():
            where = field_path(error["loc"])
            reading.problems.append(Problem(line, id_column if where == "id" else where, explain(error)))
        return None


def read_csv(text: str) -> Reading:
    reading = Reading()
    first = text.split("\n", 1)[0]
    rows = csv.reader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ",")
    columns = [name.strip().lower() for name in next(rows, [])]
    unknown = [c for c in columns if c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in columns]
    if unknown or missing:
        known = ", ".join(COLUMNS)
        reading.refuse(1, ", ".join(unknown + missing),
                       f"cột không dùng được hoặc thiếu cột bắt buộc; các cột: {known}",
                       f"unknown columns or required ones missing; the columns are: {known}")  # fmt: skip
        return reading
    departments: dict[str, tuple[int, dict[str, Any]]] = {}
    rooms: list[tuple[int, str, dict[str, Any]]] = []
    end = rows.line_num
    for row in rows:
        line, end = end + 1, rows.line_num
        values = {name: value.strip() for name, value in zip(columns, row, strict=False)}
        department_id = values.pop("department_id", "")
        if (not department_id and not any(values.values())) or department_id.startswith("#"):
            continue  # blank lines and comments
        if len(row) > len(columns):
            reading.refuse(line, "", "dòng có nhiều ô hơn tiêu đề", "the row has more cells than the header")
        given = {name: value for name, value in values.items() if value != ""}
        room_id = given.pop("room_id", "")
        if not room_id:
            if reading.place("department", department_id, line, "department_id"):
                departments[department_id] = (line, {"id": department_id, **given})
            continue
        extra = [name for name in DEPARTMENT_ONLY if name in given]
        if extra:
            reading.refuse(line, ", ".join(extra), "chỉ điền ở dòng khoa, để trống ở dòng phòng",
                           "only for department rows; leave empty on room rows")  # fmt: skip
        rooms.append((line, department_id, {"id": room_id, **{k: v for k, v in given.items() if k not in extra}}))
    _assemble(reading, departments, rooms)
    return reading


def _assemble(
    reading: Reading, departments: dict[str, tuple[int, dict[str, Any]]], rooms: list[tuple[int, str, dict[str, Any]]]
) -> None:
    own_rooms: dict[str, list[RoomRecord]] = {}
    for line, department_id, payload in rooms:
        if not reading.place("room", payload["id"], line, "room_id"):
            continue
        if department_id not in departments:
            reading.refuse(line, "department_id", f"khoa '{department_id}' của phòng này không có dòng riêng",
                           f"this room's department '{department_id}' has no row of its own")  # fmt: skip
            continue
        room = _validate(RoomRecord, payload, line, reading, "room_id")
        if room is not None:
            own_rooms.setdefault(department_id, []).append(room)
    for department_id, (line, payload) in departments.items():
        record = _validate(DepartmentRecord, payload, line, reading, "department_id")
        if record is not None:
            record.rooms = own_rooms.get(department_id, [])
            reading.departments.append(record)


def read_json(text: str) -> Reading:
    reading = Reading()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        reading.refuse(exc.lineno, "", f"JSON không hợp lệ (cột {exc.colno})",
                       f"not valid JSON: {exc.msg} (column {exc.colno})")  # fmt: skip
        return reading
    items = document.get("departments") if isinstance(document, dict) else document
    if not isinstance(items, list):
        reading.refuse(1, "departments", "cần một danh sách khoa", "a list of departments is expected")
        return reading
    lines = _element_lines(text)
    for index, item in enumerate(items):
        line = lines[index] if index < len(lines) else 1
        payload = item if isinstance(item, dict) else {"id": item}
        unique = reading.place("department", str(payload.get("id", "")), line, "id")
        rooms = payload.get("rooms")
        for n, room in enumerate(r for r in (rooms if isinstance(rooms, list) else []) if isinstance(r, dict)):
            unique = reading.place("room", str(room.get("id", "")), line, f"rooms[{n}].id") and unique
        if not unique:
            continue
        record = _validate(DepartmentRecord, payload, line, reading, "id")
        if record is not None:
            reading.departments.append(record)
    return reading


def _element_lines(text: str) -> list[int]:
    """The line each element of the departments list starts on (the text is known to be valid JSON)."""
    decoder, at = json.JSONDecoder(), _skip(text, 0)
    if text[at] == "{":
        at = _skip(text, at + 1)
        while text[at] != "}":
            key, at = decoder.raw_decode(text, at)
            at = _skip(text, _skip(text, at) + 1)  # past the colon
            if key == "departments":
                break
            at = _skip(text, decoder.raw_decode(text, at)[1])
            at = _skip(text, at + 1) if text[at] == "," else at
        else:
            return []
    if text[at] != "[":
        return []
    lines, counted, line = [], 0, 1
    at = _skip(text, at + 1)
    while text[at] != "]":
        line, counted = line + text.count("\n", counted, at), at
        lines.append(line)
        at = _skip(text, decoder.raw_decode(text, at)[1])
        at = _skip(text, at + 1) if text[at] == "," else at
    return lines


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def to_json(records: list[DepartmentRecord]) -> str:
    body = {"departments": [r.model_dump(mode="json") for r in records]}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def to_csv(records: list[DepartmentRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([record.id, "", record.name_vi, record.name_en, record.location_vi, record.location_en,
                         record.hours_text, record.lane_policy.value, record.priority_every,
                         record.minutes_per_patient, "" if record.order is None else record.order,
                         int(record.active)])  # fmt: skip
        for room in record.rooms:
            writer.writerow([record.id, room.id, room.name_vi, room.name_en, room.location_vi, room.location_en,
                             "", "", "", "", "", int(room.active)])  # fmt: skip
    return out.getvalue()
