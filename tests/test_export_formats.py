"""Export conventions on hand-made tables: formula injection, missing, excused, decimals, identities."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from grader.errors import UsageError
from grader.export import (
    FORMATS,
    ExportOptions,
    ExportRefused,
    canvas,
    export,
    gradescope,
    moodle_xml,
)
from grader.export.common import neutralise, number
from grader.export.roster import Roster, RosterEntry, parse_roster, read_roster
from grader.scores import PartScore, ScoreTable, StudentRow, table_from_reports
from tests.conftest import LMS_SAMPLES

SAMPLES = LMS_SAMPLES
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
CSV_FORMATS = [name for name, f in FORMATS.items() if f.suffix == ".csv"]

def make_table(rows: list[StudentRow], parts=(("p1", 2.0), ("p2", 1.0))) -> ScoreTable:
    return ScoreTable(problem_set="lab", title="Lab 3", parts=list(parts), rows=rows,
                      part_titles={"p1": "Shapes", "p2": "Params"})


def row(student: str, p1: float | None, p2: float | None, **kw) -> StudentRow:
    parts = {
        "p1": PartScore("p1", p1, 2.0, "correct" if p1 == 2.0 else "not_graded" if p1 is None else "partial",
                        ("Check the padding.",) if p1 != 2.0 else ()),
        "p2": PartScore("p2", p2, 1.0, "correct" if p2 == 1.0 else "missing", ()),
    }
    total = sum(x for x in (p1, p2) if x is not None)
    return StudentRow(student=student, parts=parts, total=total, max_total=3.0,
                      needs_review=p1 is None or p2 is None, **kw)


def full_roster(*students: str, **names: str) -> Roster:
    entries = {}
    for i, s in enumerate(students):
        entries[s] = RosterEntry(
            student=s, name=names.get(s, f"Name{i}, First"), first_name="First", last_name=names.get(s, f"Name{i}"),
            section=names.get(s, "Sec 1"),
            ids={"canvas_id": str(100 + i), "sis_user_id": f"S{i}", "sis_login_id": s, "email": f"{i}@u.example",
                 "idnumber": f"S{i}", "username": s, "org_defined_id": f"S{i}", "lti_user_id": f"lti-{i}"},
        )
    return Roster(entries)


def write(fmt: str, table: ScoreTable, tmp_path: Path, **kw) -> tuple[str, object]:
    out = tmp_path / f"out-{fmt}"
    options = kw.pop("options", ExportOptions(now=NOW))
    result = export(table, fmt, out, options=options, **kw)
    text = out.read_text(encoding="utf-8") if out.is_file() else ""
    return text, result


def cells(text: str) -> list[str]:
    return [c for r in csv.reader(io.StringIO(text)) for c in r]


# ----------------------------------------------------------------------------- formula injection


# Formula injection in every CSV writer: tests/test_spreadsheet_cells.py.


@pytest.mark.parametrize("fmt", CSV_FORMATS)
def test_numbers_are_never_prefixed(fmt, tmp_path):
    table = make_table([row("ann", 1.5, 1.0)])
    text, _ = write(fmt, table, tmp_path, roster=full_roster("ann"))
    assert not any(c.startswith("'") for c in cells(text))
    assert "1.5" in text or "2.5" in text


def test_neutralise_leaves_ordinary_text_and_prefixes_formulas():
    assert neutralise("Martin, Alice") == "Martin, Alice"
    assert neutralise("=1+1") == "'=1+1" and neutralise("@x") == "'@x" and neutralise("") == ""


# ----------------------------------------------------------------------------- numbers


NUMBERS = [(18.5, "18.5"), (20.0, "20"), (2 / 3, "0.67"), (1234.5, "1234.5"), (0.004, "0"), (-0.0, "0"),
           (1e-7, "0"), (12345678.0, "12345678")]


@pytest.mark.parametrize(("value", "text"), NUMBERS)
def test_numbers_use_a_decimal_point_and_two_decimals(value, text):
    assert number(value) == text


def test_canvas_rounds_to_two_decimals_without_a_comma(tmp_path):
    text, _ = write("canvas", make_table([row("ann", 2 / 3, 1.0)]), tmp_path, roster=full_roster("ann"))
    assert text.splitlines()[2].endswith(",1.67")


# ----------------------------------------------------------------------------- missing / excused


# format -> the data lines for: ann (3 points), ben (excused); cat (in the roster, no submission)
# is left out of every file: a blank or `-` would erase the grade the LMS holds.
MISSING_AND_EXCUSED = {
    "canvas": ['"Name0, First",100,S0,ann,Sec 1,3', '"Name1, First",101,S1,ben,Sec 1,EX'],
    "moodle": ["0@u.example,3"],
    "blackboard": ['"Name0","First","ann","3"'],
    "brightspace": ["#S0,#ann,3,#"],
}


@pytest.mark.parametrize("fmt", sorted(MISSING_AND_EXCUSED))
def test_missing_and_excused_follow_each_formats_convention(fmt, tmp_path):
    rows = [row("ann", 2.0, 1.0), row("ben", 1.0, 0.0, excused=True)]
    text, result = write(fmt, make_table(rows), tmp_path, roster=full_roster("ann", "ben", "cat"))
    start = 2 if fmt == "canvas" else 1  # Canvas has its Points Possible row
    assert text.splitlines()[start:] == MISSING_AND_EXCUSED[fmt]
    assert any(s.startswith("cat: no counted submission") and "--missing-as-zero" in s for s in result.skipped)
    if fmt != "canvas":
        assert any("excused student(s) left out" in n and "ben" in n for n in result.notes)


def test_plain_csv_flags_excused_and_leaves_out_missing(tmp_path):
    rows = [row("ann", 2.0, 1.0), row("ben", 1.0, 0.0, excused=True)]
    text, result = write("csv", make_table(rows), tmp_path, roster=full_roster("ann", "ben", "cat"))
    by_student = {r[0]: r for r in csv.reader(io.StringIO(text))}
    assert by_student["ben"][5] == "true" and "cat" not in by_student and by_student["ann"][2] == "3"
    assert any(s.startswith("cat: no counted submission") for s in result.skipped)


def test_missing_as_zero_option(tmp_path):
    text, _ = write("moodle", make_table([row("ann", 2.0, 1.0)]), tmp_path, roster=full_roster("ann", "ben"),
                    options=ExportOptions(missing_as_zero=True))
    assert text.splitlines()[-1] == "1@u.example,0"


def test_lti_progress_values(tmp_path):
    rows = [row("ann", 2.0, 1.0), row("ben", None, 1.0)]
    text, _ = write("lti", make_table(rows), tmp_path, roster=full_roster("ann", "ben", "cat"))
    scores = {s["userId"]: s for s in json.loads(text)}
    assert scores["lti-0"]["gradingProgress"] == "FullyGraded" and scores["lti-0"]["scoreGiven"] == 3.0
    assert scores["lti-1"]["gradingProgress"] == "PendingManual" and scores["lti-1"]["scoreGiven"] == 1.0
    assert "lti-2" not in scores  # no submission: not posted, since a Score without scoreGiven clears the grade
    assert all(s["timestamp"] == "2025-03-01T12:00:00.000+00:00" for s in scores.values())


def test_lti_objects_use_only_fields_of_the_score_media_type(tmp_path):
    sample = json.loads((SAMPLES / "lti_ags_score.json").read_text(encoding="utf-8"))
    allowed = set(sample) | {"scoringUserId"}
    text, _ = write("lti", make_table([row("ann", 2.0, 1.0, comment="Well done")]), tmp_path,
                    roster=full_roster("ann"))
    score = json.loads(text)[0]
    assert set(score) <= allowed
    assert {"userId", "timestamp", "activityProgress", "gradingProgress"} <= set(score)
    assert score["comment"] == "Well done" and score["scoreMaximum"] > 0


def test_lti_refuses_per_part(tmp_path):
    with pytest.raises(UsageError):
        write("lti", make_table([row("ann", 2.0, 1.0)]), tmp_path, per_part=True, roster=full_roster("ann"))


# ----------------------------------------------------------------------------- identities


@pytest.mark.parametrize("fmt", ["canvas", "moodle", "moodle-xml", "blackboard", "brightspace", "lti"])
def test_a_student_without_the_lms_id_is_reported_never_exported_blank(fmt, tmp_path):
    table = make_table([row("ann", 2.0, 1.0), row("zed", 1.0, 1.0)])
    text, result = write(fmt, table, tmp_path, roster=full_roster("ann"))
    assert result.written == 1
    assert any(s.startswith("zed:") for s in result.skipped)
    assert "zed" not in text
    assert any("not in the roster: zed" in n for n in result.notes)


def test_student_is_uses_the_grader_ids_as_the_lms_ids(tmp_path):
    text, result = write("blackboard", make_table([row("ann", 2.0, 1.0)]), tmp_path,
                         options=ExportOptions(student_is="username"))
    assert result.written == 1 and '"","","ann","3"' in text


def test_moodle_never_writes_a_blank_identifier(tmp_path):
    roster = full_roster("ann", "ben")
    roster.entries["ben"].ids.pop("email")
    text, result = write("moodle", make_table([row("ann", 2.0, 1.0), row("ben", 1.0, 1.0)]), tmp_path, roster=roster)
    assert all(line.split(",")[0] for line in text.splitlines())
    assert result.written == 1 and result.skipped[0].startswith("ben:")


def test_brightspace_keeps_only_the_id_columns_everyone_has(tmp_path):
    roster = full_roster("ann", "ben")
    roster.entries["ben"].ids.pop("org_defined_id")
    text, _ = write("brightspace", make_table([row("ann", 2.0, 1.0), row("ben", 1.0, 1.0)]), tmp_path, roster=roster)
    assert text.splitlines()[0].startswith("Username,Lab 3 Points Grade <Numeric MaxPoints:3>,")
    assert text.splitlines()[1] == "#ann,3,#"


# ----------------------------------------------------------------------------- Canvas specifics


def test_canvas_assignment_id_comes_from_a_canvas_roster(tmp_path):
    roster = read_roster(SAMPLES / "canvas_gradebook_export.csv").roster
    table = make_table([row("student1@uni.example", 2.0, 1.0)])
    text, result = write("canvas", table, tmp_path, roster=roster, options=ExportOptions(title="Lab 3: Backprop"))
    header, points, first = text.splitlines()[:3]
    assert header == "Student,ID,SIS User ID,SIS Login ID,Section,Lab 3: Backprop (10103)"
    assert points == "    Points Possible,,,,,3"
    assert first == '"Student1, Test",1001,S0001,student1@uni.example,DL Tutorial 01,3'
    assert result.written == 1  # the four roster students without a submission are left out, never blank
    assert len(text.splitlines()) == 3 and len(result.skipped) == 4


def test_canvas_export_reads_back_as_a_canvas_file(tmp_path):
    text, _ = write("canvas", make_table([row("ann", 2.0, 1.0)]), tmp_path, roster=full_roster("ann"),
                    options=ExportOptions(assignment_id="777"))
    read = parse_roster(text.encode(), name="export.csv")
    assert read.format == "canvas" and read.roster.columns["canvas"] == {"Lab 3": "777"}
    assert read.roster.entries["ann"].ids["canvas_id"] == "100"


@pytest.mark.parametrize("title", ["Final Score Bonus", "Lab (2024)"])
def test_canvas_refuses_titles_canvas_would_misread(title, tmp_path):
    with pytest.raises(ExportRefused):
        canvas.write(make_table([row("ann", 2.0, 1.0)]), io.StringIO(), roster=full_roster("ann"),
                     options=ExportOptions(title=title))


# ----------------------------------------------------------------------------- Moodle XML


def test_moodle_xml_round_trips_hostile_feedback(tmp_path):
    comment = "Use <b> & \"quotes\" ]]> \x00\x07 end"
    rows = [row("ann", 1.5, 1.0, comment=comment), row("ben", 1.0, 0.0)]
    roster = full_roster("ann", "ben", "cat")
    text, _ = write("moodle-xml", make_table(rows), tmp_path, roster=roster,
                    options=ExportOptions(assignment_id="dl-lab3", now=NOW))
    results = moodle_xml.read(text)
    assert [(r.assignment, r.student, r.score) for r in results] == [
        ("dl-lab3", "S0", 2.5), ("dl-lab3", "S1", 1.0)]  # cat has no submission: no <result>, never `-`
    assert results[0].feedback == "Use <b> & \"quotes\" ]]> \ufffd\ufffd end"
    assert 'batch="grader_lab_1740830400"' in text


def test_moodle_xml_sample_parses():
    results = moodle_xml.read(SAMPLES / "moodle_grades_import.xml")
    assert [(r.assignment, r.student, r.score) for r in results] == [
        ("dl-lab3", "S0001", 18.5), ("dl-lab3", "S0002", 20.0), ("dl-lab3", "S0004", None)]
    assert results[2].feedback == "Resubmission pending & extension granted"


def test_moodle_xml_per_part_items(tmp_path):
    text, _ = write("moodle-xml", make_table([row("ann", 1.5, 1.0)]), tmp_path, per_part=True,
                    roster=full_roster("ann"))
    assert [r.assignment for r in moodle_xml.read(text)] == ["lab.p1", "lab.p2"]


# ----------------------------------------------------------------------------- Gradescope


def test_gradescope_results_use_only_documented_fields():
    sample = json.loads((SAMPLES / "gradescope_results.json").read_text(encoding="utf-8"))
    top_level = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                 "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
    test_fields = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                   "tags", "visibility", "extra_data"}
    assert set(sample) <= top_level and all(set(t) <= test_fields for t in sample["tests"])
    table = make_table([row("ann", None, 1.0)])
    document = gradescope.results_json(table, table.rows[0], ExportOptions(visibility="after_due_date"))
    assert set(document) <= top_level and all(set(t) <= test_fields for t in document["tests"])
    pending, scored = document["tests"]
    assert "score" not in pending and pending["output"].startswith("Your instructor grades this part.")
    assert scored == {"name": "p2 (Params)", "number": "2", "score": 1, "max_score": 1, "status": "passed",
                      "output": "Correct.", "visibility": "after_due_date"}
    assert document["score"] == 1 and document["visibility"] == "after_due_date"


def test_gradescope_export_writes_one_results_json_per_submission(tmp_path):
    table = make_table([row("ann", 2.0, 1.0), row("../evil", 1.0, 0.0)])
    result = export(table, "gradescope", tmp_path / "out", options=ExportOptions())
    names = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("results.json"))
    assert len(names) == 2 and "ann/results.json" in names and all(".." not in n for n in names)
    assert result.written == 2


def test_gradescope_refuses_an_unknown_visibility():
    table = make_table([row("ann", 2.0, 1.0)])
    with pytest.raises(UsageError):
        gradescope.results_json(table, table.rows[0], ExportOptions(visibility="public"))


# ----------------------------------------------------------------------------- plumbing


def test_unknown_format_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="canvas"):
        export(make_table([]), "excel", tmp_path / "x")


def test_export_replaces_the_output_atomically(tmp_path):
    out = tmp_path / "grades.csv"
    out.write_text("old", encoding="utf-8")
    export(make_table([row("ann", 2.0, 1.0)]), "csv", out)
    assert out.read_text(encoding="utf-8").startswith("student,name,total")
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


def test_bom_option_for_excel(tmp_path):
    out = tmp_path / "grades.csv"
    export(make_table([row("ann", 2.0, 1.0)]), "csv", out, options=ExportOptions(bom=True))
    assert out.read_bytes().startswith(b"\xef\xbb\xbfstudent,")


def test_table_from_reports_keeps_the_last_report_and_leaves_pending_parts_unscored(problem_set):
    from grader.engine import PartResult, Report
    from grader.kinds import Status

    def report(student, statuses):
        parts = [PartResult(id=part.id, problem=problem.id, kind=part.kind, status=statuses.get(part.id, Status.MISSING),
                            score=part.points if statuses.get(part.id) is Status.CORRECT else 0.0,
                            max_score=part.points)
                 for problem, part in problem_set.parts()]
        return Report(student=student, problem_set=problem_set.id, variant="default", parts=parts)

    first = report("ann", {"p1.1a": Status.INCORRECT})
    second = report("ann", {"p1.1a": Status.CORRECT, "p1.4": Status.NEEDS_REVIEW, "p1.5": Status.NOT_GRADED})
    table = table_from_reports(problem_set, [first, second, report(None, {})])
    (ann,) = table.rows
    assert ann.parts["p1.1a"].score == 1.0 and ann.total == 1.0 and ann.needs_review
    assert ann.parts["p1.4"].score is None and ann.parts["p1.5"].score is None
    assert ann.parts["p1.2b"].score == 0.0  # missing is a zero, not "waiting"
    assert table.part_titles["p1.1a"] == "Basic concepts" and table.max_total == problem_set.max_score


def test_cli_export_from_a_folder(tmp_path):
    from tests.conftest import EXAMPLES, run_cli

    out = tmp_path / "grades.csv"
    done = run_cli("export", "--format", "brightspace", "--from", str(EXAMPLES), "-o", str(out),
                   "--student-is", "username")
    assert done.returncode == 0, done.stderr
    assert "Exported 6 student(s) as brightspace" in done.stderr + done.stdout
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("#alice,")


def test_cli_export_reports_a_missing_gradebook(tmp_path):
    from tests.conftest import run_cli

    done = run_cli("export", "--format", "csv", "--db", str(tmp_path / "none.sqlite"), cwd=tmp_path)
    assert done.returncode != 0 and done.stderr.startswith("Error: No gradebook at")


def test_the_help_lists_the_registered_formats_in_order():
    from typer.main import get_command

    from grader.cli import app
    from grader.export.formats import FORMAT_NAMES

    assert tuple(FORMATS) == FORMAT_NAMES
    command = get_command(app).commands["export"]  # type: ignore[attr-defined]
    (option,) = [p for p in command.params if "--format" in p.opts]
    assert option.help == "One of: " + ", ".join(FORMAT_NAMES) + "."
