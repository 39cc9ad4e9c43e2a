"""The hospital's own departments: files read as spreadsheets save them, problems by line in Vietnamese and English,
`kiosk-hub departments import/export` as real commands, and what kiosks see (order, hidden departments, rooms)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from kiosk_hub.catalogue import store
from kiosk_hub.catalogue.files import read_csv, read_file, read_json, to_csv, to_json
from kiosk_hub.catalogue.hours import format_hours, parse_hours
from kiosk_hub.db.models import Department
from tests.hub.conftest import HubUnderTest
from tests.hub.servers import REPO

SPREADSHEET = (
    "\ufeffdepartment_id;room_id;name_vi;name_en;location_vi;opening_hours;lane_policy;priority_every;active\n"
    'TIM;;Khoa Tim mạch;Cardiology;Tầng 2, nhà C;"T2-T6 07:00-11:30, 13:00-16:30; T7 07:00-11:30";interleaved;2;có\n'
    "TIM;TIM-01;Phòng khám Tim 1;;Phòng 201;;;;\n"
    "TIM;TIM-02;Phòng khám Tim 2;Room 2;Phòng 202;;;;không\n"
    "\n"
    "# a comment line;;;;;;;;\n"
    "CC;;Khoa Cấp cứu;Emergency;Cổng 2;T2-CN 00:00-24:00;strict;;1\n"
)


def hub_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk_hub.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=120,
        input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL, check=False,
    )  # fmt: skip


def test_a_semicolon_csv_with_a_bom_from_a_vietnamese_spreadsheet_reads() -> None:
    reading = read_file(SPREADSHEET.encode("utf-8"), "khoa.csv")
    assert reading.problems == []
    tim, cc = reading.departments
    assert (tim.id, tim.lane_policy.value, tim.priority_every, tim.active) == ("TIM", "interleaved", 2, True)
    assert tim.opening_hours == [
        {"days": [1, 2, 3, 4, 5], "opens": "07:00", "closes": "11:30"},
        {"days": [1, 2, 3, 4, 5], "opens": "13:00", "closes": "16:30"},
        {"days": [6], "opens": "07:00", "closes": "11:30"},
    ]
    assert [(r.id, r.name_en, r.active) for r in tim.rooms] == [
        ("TIM-01", "Phòng khám Tim 1", True),  # no English name: the Vietnamese one stands in
        ("TIM-02", "Room 2", False),
    ]
    assert cc.opening_hours == [{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "00:00", "closes": "24:00"}]


def test_every_problem_of_a_file_is_named_by_line_in_both_languages() -> None:
    text = (
        "department_id,room_id,name_vi,opening_hours,lane_policy,priority_every\n"
        "NOI,,Khoa Nội,T2-T6 07:00-16:30,xen kẽ,3\n"  # 2: unknown lane policy
        "NOI,,Khoa Nội 2,T2 07:00-08:00,,\n"  # 3: the id again
        "NGOAI,NGOAI-01,Phòng 1,,,\n"  # 4: a room of a department with no row
        "MAT,,,T2-T8 07:00-08:00,strict,0\n"  # 5: no name, a day that is not one, N below 1
        "Răng hàm mặt,,Khoa RHM,T2 16:00-07:00,,\n"  # 6: an id with accents and spaces, closing before opening
    )
    problems = sorted((p.line, p.field, p.words.vi, p.words.en) for p in read_csv(text).problems)
    assert problems == [
        (2, "lane_policy", "phải là một trong: strict hoặc interleaved", "must be one of: strict or interleaved"),
        (3, "department_id", "mã khoa 'NOI' đã có ở dòng 2", "department id 'NOI' is already on line 2"),
        (4, "department_id", "khoa 'NGOAI' của phòng này không có dòng riêng",
         "this room's department 'NGOAI' has no row of its own"),
        (5, "name_vi", "bắt buộc, đang thiếu", "is required"),
        (5, "opening_hours", "'T2-T8' không phải ngày (T2…T7, CN)", "'T2-T8' is not a day (Mon…Sun, T2…CN)"),
        (5, "priority_every", "phải từ 1 trở lên", "must be 1 or more"),
        (6, "department_id", "chỉ gồm chữ không dấu, chữ số và - _ . (không dấu cách)",
         "only letters without accents, digits and - _ . (no spaces)"),
        (6, "opening_hours", "'16:00-07:00': giờ mở phải trước giờ đóng",
         "'16:00-07:00': opening must come before closing"),
    ]  # fmt: skip


def test_json_problems_carry_the_line_each_department_starts_on() -> None:
    text = json.dumps(
        {"departments": [
            {"id": "NOI", "name_vi": "Khoa Nội", "opening_hours": "T2-T6 07:00-16:30"},
            {"id": "NHI", "name_vi": "Khoa Nhi", "opening_hours": "T2-T6 07:00-16:30",
             "rooms": [{"id": "NHI-01", "name_vi": "Phòng 1"}, {"id": "NHI-01", "name_vi": "Phòng 1 bis"}]},
            {"id": "MAT", "name_vi": "Khoa Mắt", "opening_hours": [{"days": [1], "opens": "7:00", "closes": "11:00"}],
             "minutes_per_patient": "mười"},
        ]},
        ensure_ascii=False, indent=2,
    )  # fmt: skip
    lines = text.splitlines()
    nhi, mat = (next(n for n, line in enumerate(lines, 1) if f'"id": "{d}"' in line) - 1 for d in ("NHI", "MAT"))
    problems = {(p.line, p.field, p.words.en) for p in read_json(text).problems}
    assert problems == {
        (nhi, "rooms[1].id", "room id 'NHI-01' is already on line " + str(nhi)),
        (mat, "opening_hours", "'7:00-11:00': write times as HH:MM-HH:MM"),
        (mat, "minutes_per_patient", "must be a whole number"),
    }
    broken = read_json('{"departments": [\n  {"id": "NOI",}\n]}')
    assert [(p.line, p.words.vi) for p in broken.problems] == [(2, "JSON không hợp lệ (cột 16)")]


def test_a_file_that_is_not_utf8_says_how_to_save_it() -> None:
    reading = read_file(SPREADSHEET.replace("\ufeff", "").encode("cp1258", errors="replace"), "khoa.csv")
    assert [p.words.vi for p in reading.problems] == ["Tệp không phải UTF-8: trong Excel hãy lưu dạng 'CSV UTF-8'."]


DAYS = st.lists(st.integers(1, 7), min_size=1, max_size=7, unique=True).map(sorted)
SPANS = st.lists(st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(1, 240)), min_size=1, max_size=3)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.lists(st.tuples(DAYS, SPANS), min_size=1, max_size=4))
def test_opening_hours_written_as_text_read_back_the_same(
    groups: list[tuple[list[int], list[tuple[int, int, int]]]],
) -> None:
    periods = []
    for days, spans in groups:
        for hour, minute, length in spans:
            opens = hour * 60 + minute
            closes = min(opens + length, 24 * 60)
            periods.append({"days": days, "opens": f"{hour:02d}:{minute:02d}",
                            "closes": f"{closes // 60:02d}:{closes % 60:02d}"})  # fmt: skip
    assert parse_hours(format_hours(periods)) == periods


def test_import_writes_nothing_when_a_line_is_wrong_and_a_dry_run_writes_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    good, bad = tmp_path / "khoa.csv", tmp_path / "sai.csv"
    good.write_text(SPREADSHEET, encoding="utf-8")
    bad.write_text(SPREADSHEET + "MAT;;;T2 07:00-08:00;;;\n", encoding="utf-8")
    refused = hub_cli("departments", "import", str(bad), "--db", sqlite_url)
    assert refused.returncode == 1
    assert "Dòng 8, name_vi: bắt buộc, đang thiếu\n    Line 8, name_vi: is required" in refused.stderr
    assert json.loads(refused.stdout)["written"] is False
    dry = hub_cli("departments", "import", str(good), "--dry-run", "--db", sqlite_url)
    assert (dry.returncode, json.loads(dry.stdout)["added"]) == (0, ["TIM", "CC"])
    assert _count(sqlite_url) == 0
    done = hub_cli("departments", "import", str(good), "--db", sqlite_url)
    assert (json.loads(done.stdout)["written"], _count(sqlite_url)) == (True, 2)


def _count(url: str) -> int:
    engine = create_engine(url)
    with Session(engine) as session:
        found = session.scalar(select(func.count()).select_from(Department)) or 0
    engine.dispose()
    return found


def test_an_export_imports_back_unchanged_in_both_formats(sqlite_url: str, tmp_path: Path) -> None:
    assert hub_cli("seed-demo", "--db", sqlite_url).returncode == 0
    exported = hub_cli("departments", "export", "--db", sqlite_url).stdout
    as_csv = hub_cli("departments", "export", "--format", "csv", "--db", sqlite_url).stdout
    assert to_json(read_json(exported).departments) == exported
    assert to_csv(read_csv(as_csv).departments) == as_csv
    for name, body in (("khoa.json", exported), ("khoa.csv", as_csv)):
        (tmp_path / name).write_text(body, encoding="utf-8")
        again = json.loads(hub_cli("departments", "import", str(tmp_path / name), "--db", sqlite_url).stdout)
        assert (again["added"], again["changed"], len(again["unchanged"])) == ([], [], 11)


def test_a_new_file_changes_what_it_names_hides_rooms_left_out_and_keeps_the_rest(sqlite_url: str) -> None:
    assert hub_cli("seed-demo", "--db", sqlite_url).returncode == 0
    update = (
        "department_id,room_id,name_vi,opening_hours,priority_every\n"
        "NOI,,Khoa Nội tổng hợp,T2-T6 07:00-16:30; T7 07:00-11:30,4\n"
        "NOI,NOI-01,Phòng khám NOI 1,,\n"  # NOI-02 and NOI-03 left out
        "NOI,KKB-01,Phòng mượn,,\n"  # KKB's room: refused
    )
    refused = json.loads(hub_cli("departments", "import", "-", "--db", sqlite_url, stdin=update).stdout)
    assert [(p["line"], p["field"]) for p in refused["problems"]] == [(4, "room_id")]
    assert "KKB" in refused["problems"][0]["vi"]
    done = json.loads(
        hub_cli("departments", "import", "-", "--db", sqlite_url, stdin=update.rsplit("NOI,KKB", 1)[0]).stdout
    )
    assert (done["changed"], done["rooms_hidden"]) == (["NOI"], ["NOI-02", "NOI-03"])
    assert len(done["kept"]) == 10
    assert "NOI" not in done["kept"]


async def test_kiosks_see_active_departments_in_order_and_hidden_ones_take_no_new_ticket(hub_api: HubUnderTest) -> None:
    client, hub = hub_api.client, hub_api.hub
    first = await client.post("/api/v1/tickets", json={"department_id": "MAT"}, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201
    with hub.writer() as session:
        assert store.set_active(session, "MAT", False, "it-admin", hub.clock())
        assert store.move(session, "CC", -20, "it-admin", hub.clock())  # emergency to the top
        session.commit()
    hub.queue.catalog.forget()
    listed = [d["id"] for d in (await client.get("/api/v1/departments")).json()["departments"]]
    assert listed[0] == "CC"
    assert "MAT" not in listed
    refused = await client.post("/api/v1/tickets", json={"department_id": "MAT"}, headers={"Idempotency-Key": "k2"})
    assert (refused.status_code, refused.json()["code"]) == (404, "department_not_found")
    retry = await client.post("/api/v1/tickets", json={"department_id": "MAT"}, headers={"Idempotency-Key": "k1"})
    assert (retry.status_code, retry.json()["id"]) == (200, first.json()["id"])  # a printed ticket still answers
    assert (await client.get(f"/api/v1/tickets/{first.json()['id']}")).status_code == 200
    lease = await client.post("/api/v1/leases", json={"department_id": "MAT", "lane": "normal"})
    assert lease.status_code == 404


def test_the_example_file_in_the_docs_reads() -> None:
    doc = (REPO / "docs" / "departments.md").read_text(encoding="utf-8")
    example = "department_id;" + doc.split("```\ndepartment_id;", 1)[1].split("```", 1)[0]
    reading = read_csv(example)
    assert reading.problems == []
    assert [(d.id, [r.id for r in d.rooms]) for d in reading.departments] == [("KKB", ["KKB-01"]), ("CC", [])]
