"""Round trips: each CSV export read back by a small reader written from the importer's rules,
every student's grade compared with the gradebook's.

The readers follow what the importers do (docs/lms.md): Canvas finds its header by the identity
block that ends in `Section`, skips the `Points Possible` row and matches students by ID, SIS
User ID, then SIS Login ID; Moodle maps one identity column exactly and aborts on an unknown user
or a non-numeric grade; Blackboard wants every value quoted and keys columns by `|id`; Brightspace
strips the `#` guards and reads `<Item> Points Grade` columns up to the End-of-Line Indicator.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from grader.export import ExportOptions, export
from grader.export.table import ScoreTable
from grader.roster import Roster
from tests.test_export_golden import NOW, gradebook_table, roster  # noqa: F401  (module fixtures)

IGNORED = ("Current Score", "Current Points", "Current Grade", "Final Score", "Final Points", "Final Grade")


class Aborted(Exception):
    """The importer would refuse the whole file."""


def _decimal(value: str) -> float:
    # Canvas decimal_comma_to_period: every ',' or '.' but the last removed, the last made '.'.
    marks = [i for i, c in enumerate(value) if c in ",."]
    if len(marks) > 1 or (marks and value[marks[0]] == ","):
        last = marks[-1]
        value = value[:last].replace(",", "").replace(".", "") + "." + value[last + 1:]
    return float(value)


def read_canvas(text: str) -> dict[str, dict[str, float]]:
    """{student key: {column: points}}; a blank cell would be read as "remove the grade"."""
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = rows[0]
    if "Section" not in header or len(header) < 4:
        raise Aborted("Invalid header row")
    first_item = header.index("Section") + 1
    items = {i: h for i, h in enumerate(header[first_item:], first_item) if not any(w in h for w in IGNORED)}
    out: dict[str, dict[str, float]] = {}
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            continue
        key = next(row[header.index(c)] for c in ("ID", "SIS User ID", "SIS Login ID") if row[header.index(c)])
        grades = {}
        for i, title in items.items():
            value = row[i].strip()
            if value == "" or value == "-":
                raise Aborted(f"{key}: a blank cell in {title!r} would remove the grade Canvas holds")
            grades[re.sub(r"\s\((\d+)\)$", "", title)] = _decimal(value)
        out[key] = grades
    return out


def read_moodle(text: str, map_from: str, users: set[str]) -> dict[str, dict[str, float]]:
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[0]]
    key_at = header.index(map_from)
    out: dict[str, dict[str, float]] = {}
    for row in rows[1:]:
        if len(row) <= 1:
            continue
        if row[key_at] not in users:  # exact match, or the whole import stops
            raise Aborted(f"user mapping error: {row[key_at]!r}")
        grades = {}
        for i, h in enumerate(header):
            if i == key_at or h.endswith("(Feedback)") or h.endswith(" feedback"):
                continue
            value = row[i].strip()
            if value in ("", "-"):
                raise Aborted(f"{row[key_at]}: '{value}' would overwrite the grade with 'no grade'")
            grades[h.removesuffix(" (Real)")] = float(value)  # non-numeric: ValueError, like "badgrade"
        out[row[key_at]] = grades
    return out


def read_blackboard(text: str) -> dict[str, dict[str, float]]:
    for line in text.splitlines():
        if not all(cell.startswith('"') and cell.endswith('"') for cell in re.split(r',(?=")', line)):
            raise Aborted(f"not every value is quoted: {line}")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    user_at = header.index("Username")
    columns = {i: h.rsplit("|", 1)[0].split(" [Total Pts:")[0].strip() for i, h in enumerate(header) if "|" in h}
    return {row[user_at]: {title: float(row[i]) for i, title in columns.items()} for row in rows[1:]}


def read_brightspace(text: str) -> dict[str, dict[str, float]]:
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    if header[-1] != "End-of-Line Indicator" or any(row[-1] != "#" for row in rows[1:]):
        raise Aborted("the End-of-Line Indicator is missing")
    key_at = header.index("Username") if "Username" in header else header.index("OrgDefinedId")
    items = {i: h.split(" Points Grade")[0] for i, h in enumerate(header) if " Points Grade" in h}
    out = {}
    for row in rows[1:]:
        if any(row[i] == "" for i in items):
            raise Aborted("an empty grade")
        out[row[key_at].removeprefix("#")] = {title: float(row[i]) for i, title in items.items()}
    return out


def _export(table: ScoreTable, fmt: str, tmp_path: Path, the_roster: Roster, **options) -> str:
    out = tmp_path / f"{fmt}.csv"
    export(table, fmt, out, roster=the_roster, per_part=options.pop("per_part", False),
           options=ExportOptions(now=NOW, **options))
    return out.read_text(encoding="utf-8")


def _expected(table: ScoreTable, the_roster: Roster, field: str, per_part: bool, title: str) -> dict:
    expected = {}
    for row in table.rows:
        entry = the_roster.get(row.student)
        if entry is None or row.total is None:
            continue
        if per_part and any(s.score is None for s in row.parts.values()):
            continue  # a part waiting for a person: a CSV row cannot leave one cell out, so the row stays out
        if per_part:
            grades = {f"{title}: {p}": round(s.score, 2) for p, s in row.parts.items() if s.score is not None}
        else:
            grades = {title: round(row.total, 2)}
        expected[entry.ids[field] if field != "student" else row.student] = grades
    return expected


@pytest.mark.parametrize("per_part", [False, True], ids=["total", "per-part"])
def test_canvas_round_trip(gradebook_table, roster, per_part, tmp_path):  # noqa: F811
    text = _export(gradebook_table, "canvas", tmp_path, roster, per_part=per_part, assignment_id="20101")
    read = read_canvas(text)
    expected = _expected(gradebook_table, roster, "canvas_id", per_part, gradebook_table.title)
    assert read == expected and len(read) >= 5
    assert roster.entries["kim"].ids["canvas_id"] not in read  # kim has no submission: not in the file


@pytest.mark.parametrize("key", ["email", "idnumber", "username"])
def test_moodle_round_trip(gradebook_table, roster, key, tmp_path):  # noqa: F811
    text = _export(gradebook_table, "moodle", tmp_path, roster, moodle_key=key)
    users = {e.ids[key] for e in roster.entries.values() if key in e.ids}
    header = {"email": "Email address", "idnumber": "ID number", "username": "Username"}[key]
    read = read_moodle(text, header, users)
    expected = {k: v for k, v in _expected(gradebook_table, roster, "student", False, gradebook_table.title).items()
                if key in roster.entries[k].ids}
    assert read == {roster.entries[s].ids[key]: grades for s, grades in expected.items()}


def test_moodle_round_trip_per_part_with_feedback(gradebook_table, roster, tmp_path):  # noqa: F811
    text = _export(gradebook_table, "moodle", tmp_path, roster, per_part=True, feedback=True)
    read = read_moodle(text, "Email address", {e.ids["email"] for e in roster.entries.values()})
    expected = _expected(gradebook_table, roster, "email", True, gradebook_table.title)
    assert read == expected


def test_blackboard_round_trip(gradebook_table, roster, tmp_path):  # noqa: F811
    text = _export(gradebook_table, "blackboard", tmp_path, roster, assignment_id="120040")
    assert read_blackboard(text) == _expected(gradebook_table, roster, "username", False, gradebook_table.title)


def test_brightspace_round_trip(gradebook_table, roster, tmp_path):  # noqa: F811
    text = _export(gradebook_table, "brightspace", tmp_path, roster)
    assert read_brightspace(text) == _expected(gradebook_table, roster, "username", False, gradebook_table.title)


def test_plain_csv_round_trip(gradebook_table, roster, tmp_path):  # noqa: F811
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(_export(gradebook_table, "csv", tmp_path, roster)))}
    graded = [row for row in gradebook_table.rows
              if row.total is not None and all(s.score is not None for s in row.parts.values())]
    assert graded and len(rows) == len(graded)
    for row in graded:
        assert float(rows[row.student]["total"]) == pytest.approx(row.total)
        for part_id, score in row.parts.items():
            assert float(rows[row.student][part_id]) == pytest.approx(score.score)
    assert "kim" not in rows  # in the roster, no submission: left out, never blank


def test_the_readers_catch_what_an_importer_would_refuse():
    with pytest.raises(Aborted):
        read_canvas('Student,ID,SIS User ID,SIS Login ID,Section,Lab (1)\n"A, B",1,,a,,\n')
    with pytest.raises(Aborted):
        read_moodle("Email address,Lab\nA@x.example,3\n", "Email address", {"a@x.example"})
    with pytest.raises(Aborted):
        read_moodle("Email address,Lab\na@x.example,-\n", "Email address", {"a@x.example"})
    with pytest.raises(Aborted):
        read_blackboard('"Username","Lab |1"\n"a",3\n')
    with pytest.raises(Aborted):
        read_brightspace("Username,Lab Points Grade,End-of-Line Indicator\n#a,,#\n")
    assert _decimal("7,5") == 7.5 and _decimal("1,234") == 1.234 and _decimal("1.234,5") == 1234.5
