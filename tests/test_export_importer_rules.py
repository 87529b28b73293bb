"""Each export against the rule of the importer that reads it.

Every test is named for the importer rule it follows, with a comment naming the importer's
function (Canvas: instructure/canvas-lms; Moodle: moodle/moodle). docs/lms.md gives the same rules
per format.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from grader.export import FORMATS, ExportEmpty, ExportOptions, export, moodle_xml
from grader.export.roster import Roster, RosterEntry, read_roster
from grader.scores import PartScore, ScoreTable, StudentRow
from tests.conftest import LMS_SAMPLES, run_cli

NOW = datetime(2025, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)
SUBMITTED = datetime(2025, 2, 28, 18, 30, tzinfo=UTC)
LMS_FORMATS = ["canvas", "moodle", "moodle-xml", "blackboard", "brightspace", "lti"]


def part(pid: str, score: float | None, points: float, feedback: tuple[str, ...] = ()) -> PartScore:
    status = "needs_review" if score is None else "correct" if score == points else "partial"
    return PartScore(pid, score, points, status, feedback)


def student(name: str, p1: float | None, p2: float | None, **kw) -> StudentRow:
    parts = {"p1": part("p1", p1, 2.0, ("Check the padding.",)), "p2": part("p2", p2, 1.0)}
    total = sum(x for x in (p1, p2) if x is not None)
    return StudentRow(student=name, parts=parts, total=total, max_total=3.0, submitted_at=SUBMITTED,
                      needs_review=p1 is None or p2 is None, **kw)


def table(*rows: StudentRow) -> ScoreTable:
    return ScoreTable("lab", "Lab 3", [("p1", 2.0), ("p2", 1.0)], list(rows), {"p1": "Shapes", "p2": "Params"})


def roster(*names: str) -> Roster:
    return Roster({n: RosterEntry(n, name=f"{n.title()}, Test", first_name="Test", last_name=n.title(), ids={
        "canvas_id": f"{100 + i}", "sis_login_id": n, "email": f"{n}@u.example", "idnumber": f"S{i}",
        "username": n, "org_defined_id": f"S{i}", "lti_user_id": f"lti-{n}"}) for i, n in enumerate(names)})


# ann: every part scored; ben: p1 waits for a person; zoe: in the roster, no submission.
CLASS = table(student("ann", 2.0, 1.0), student("ben", None, 1.0))
CLASS_ROSTER = roster("ann", "ben", "zoe")


def run(fmt: str, tmp_path, *, per_part: bool = False, the_table: ScoreTable = CLASS,
        the_roster: Roster | None = CLASS_ROSTER, **options):
    out = tmp_path / f"out-{fmt}{'-pp' if per_part else ''}"
    result = export(the_table, fmt, out, per_part=per_part, roster=the_roster,
                    options=ExportOptions(**{"now": NOW, **options}), allow_empty=True)
    return (out.read_text(encoding="utf-8") if out.is_file() else ""), result


def grade_cells(fmt: str, text: str) -> list[tuple[str, str]]:
    """(row identity, grade text) for every grade a file carries."""
    if fmt == "moodle-xml":
        return [(r.student, (r.score is None and "-") or str(r.score)) for r in moodle_xml.read(text)]
    if fmt == "lti":
        return [(s["userId"], str(s.get("scoreGiven", ""))) for s in json.loads(text)]
    rows = list(csv.reader(io.StringIO(text)))
    header, data = rows[0], [r for r in rows[1:] if "Points Possible" not in r[0]]
    grade_columns = [i for i, h in enumerate(header) if h.startswith("Lab 3") and "feedback" not in h.casefold()]
    return [("|".join(r[:3]), r[i]) for r in data for i in grade_columns]


# ------------------------------------------------------------------------- no blank, no `-`


# LTI scores go to one line item per assignment, so LTI has no per-part export (it is refused).
@pytest.mark.parametrize(("fmt", "per_part"), [(f, p) for f in LMS_FORMATS for p in (False, True)
                                               if not (f == "lti" and p)])
def test_no_lms_format_writes_an_empty_or_dash_grade(fmt, per_part, tmp_path):
    # Canvas GradebookImporter#no_change_to_value? (a blank over a grade is a change: removed),
    # Moodle gradeimport_csv_load_data::update_grade_item and import_xml_grades ('' or '-' = null),
    # Canvas/Moodle AGS scores: a Score without scoreGiven clears the grade.
    text, result = run(fmt, tmp_path, per_part=per_part)
    cells = grade_cells(fmt, text)
    assert cells and all(value.strip() not in ("", "-") for _, value in cells), cells
    assert "zoe" not in text and "lti-zoe" not in text
    assert any(s.startswith("zoe: no counted submission") for s in result.skipped)
    if per_part and fmt != "moodle-xml":  # a CSV row cannot leave one cell out: ben's row stays out
        assert any(s.startswith("ben: p1 wait(s) for a person") for s in result.skipped)
        assert "ben" not in text


@pytest.mark.parametrize("fmt", LMS_FORMATS)
def test_missing_as_zero_is_the_one_way_to_write_a_grade_for_no_submission(fmt, tmp_path):
    text, result = run(fmt, tmp_path, missing_as_zero=True)
    cells = dict(grade_cells(fmt, text))
    zoe = next(v for k, v in cells.items() if "zoe" in k.casefold() or k == "S2")
    assert float(zoe) == 0 and not any(s.startswith("zoe:") for s in result.skipped)


def test_the_plain_csv_leaves_out_who_has_no_grade_and_the_json_lists_everyone(tmp_path):
    # A plain CSV is often merged back into an LMS by hand, so it follows the same rule as the
    # LMS formats; the JSON is the full table for other tools, "no score" as null.
    text, result = run("csv", tmp_path)
    rows = {r[0]: r for r in csv.reader(io.StringIO(text))}
    assert "zoe" not in rows and "ben" not in rows
    assert any(s.startswith("zoe: no counted submission") for s in result.skipped)
    assert any(s.startswith("ben: p1 wait(s) for a person") for s in result.skipped)
    assert rows["ann"][2] != "" and all(cell != "" for cell in rows["ann"][10:])
    document = json.loads(run("json", tmp_path)[0])
    assert {s["student"]: s["total"] for s in document["students"]}["zoe"] is None


def test_moodle_xml_leaves_out_only_the_results_without_a_score(tmp_path):
    # grade/import/xml/lib.php import_xml_grades: one <result> per item and user, so a pending part
    # can stay out while the student's other parts are imported.
    text, result = run("moodle-xml", tmp_path, per_part=True)
    results = [(r.assignment, r.student) for r in moodle_xml.read(text)]
    assert ("lab.p2", "S1") in results and ("lab.p1", "S1") not in results
    assert any(n.startswith("ben: p1 wait(s)") and "only those results are left out" in n for n in result.notes)


# ------------------------------------------------------------------------- Canvas LTI


def test_canvas_reads_the_submission_time_only_from_its_own_extension(tmp_path):
    # Lti::IMS::ScoresController#submit_homework takes submitted_at from the
    # https://canvas.instructure.com/lti/submission extension; new_submission defaults to true.
    text, _ = run("lti", tmp_path, platform="canvas")
    score = json.loads(text)[0]
    extension = score["https://canvas.instructure.com/lti/submission"]
    assert extension == {"new_submission": True, "submitted_at": "2025-02-28T18:30:00.000+00:00"}
    assert "submission" not in score  # the IMS field, which Canvas ignores


def test_a_canvas_regrade_does_not_create_a_new_submission(tmp_path):
    # Lti::IMS::ScoresController#new_submission?: false keeps the existing submission and its time.
    text, _ = run("lti", tmp_path, platform="canvas", regrade=True)
    assert all(s["https://canvas.instructure.com/lti/submission"]["new_submission"] is False
               for s in json.loads(text))


def test_canvas_accepts_its_own_user_id_as_the_lti_user_id(tmp_path):
    # Lti::IMS::ScoresController userId: "The lti_user_id or the Canvas user_id".
    the_roster = roster("ann")
    the_roster.entries["ann"].ids.pop("lti_user_id")
    text, result = run("lti", tmp_path, the_table=table(student("ann", 2.0, 1.0)), the_roster=the_roster,
                       platform="canvas")
    assert json.loads(text)[0]["userId"] == "100" and result.written == 1
    _, generic = run("lti", tmp_path, the_table=table(student("ann", 2.0, 1.0)), the_roster=the_roster)
    assert generic.written == 0  # elsewhere only the LTI user id identifies a user


# ------------------------------------------------------------------------- Moodle LTI


def test_moodle_drops_a_score_that_is_not_fully_graded_so_pending_rows_are_held_back(tmp_path):
    # mod/lti/service/gradebookservices scores::get_json_for_post_request: scoreGiven = null unless
    # gradingProgress is FullyGraded.
    text, result = run("lti", tmp_path, platform="moodle")
    scores = json.loads(text)
    assert [s["userId"] for s in scores] == ["lti-ann"]
    assert all(s["gradingProgress"] == "FullyGraded" for s in scores)
    assert any(s.startswith("ben: parts wait for a person") and "--pending provisional" in s for s in result.skipped)


def test_moodle_pending_provisional_posts_the_partial_total_as_fully_graded(tmp_path):
    text, result = run("lti", tmp_path, platform="moodle", pending="provisional")
    ben = next(s for s in json.loads(text) if s["userId"] == "lti-ben")
    assert ben["gradingProgress"] == "FullyGraded" and ben["scoreGiven"] == 1.0
    assert any("provisional" in n and "ben" in n for n in result.notes)


def test_moodle_refuses_a_timestamp_not_newer_to_the_second_so_it_is_the_next_whole_second(tmp_path):
    # scores::get_json_for_post_request: 409 when grade->timemodified >= strtotime(timestamp).
    text, _ = run("lti", tmp_path, platform="moodle")
    stamp = datetime.fromisoformat(json.loads(text)[0]["timestamp"])
    assert stamp.microsecond == 0 and int(stamp.timestamp()) > int(NOW.timestamp())
    later, _ = run("lti", tmp_path, platform="moodle", now=datetime(2025, 3, 1, 12, 0, 2, tzinfo=UTC))
    assert json.loads(later)[0]["timestamp"] > json.loads(text)[0]["timestamp"]


def test_generic_lti_marks_pending_rows_pending_manual_and_says_what_moodle_does(tmp_path):
    # Canvas ScoresController: PendingManual keeps scoreGiven and flags the submission for a grader.
    text, result = run("lti", tmp_path)
    assert {s["userId"]: s["gradingProgress"] for s in json.loads(text)} == {
        "lti-ann": "FullyGraded", "lti-ben": "PendingManual"}
    assert any("--platform moodle" in n for n in result.notes)


# ------------------------------------------------------------------------- Moodle CSV


def test_moodle_mapping_form_preselects_the_grade_items_own_real_and_feedback_headers(tmp_path):
    # grade_import_mapping_form::definition: a header "<X> (Real)" maps to the item whose display
    # name is X ("<module name>: <item name>"); "<X> (Feedback)" to that item's feedback.
    moodle = read_roster(LMS_SAMPLES / "moodle_grades_export.csv").roster
    items = {1: "Assignment: Lab 1 Tensors", 2: "Assignment: Lab 3 Backprop", 3: "Quiz: Week 2 quiz"}
    the_table = table(student("student1@uni.example", 2.0, 1.0))
    text, result = run("moodle", tmp_path, the_table=the_table, the_roster=moodle, title="Lab 3 Backprop",
                       feedback=True)
    header = next(csv.reader(io.StringIO(text)))
    preselected = {}
    for i, h in enumerate(header):
        for suffix, kind in ((" (Real)", "grade"), (" (Feedback)", "feedback")):
            if h.endswith(suffix):
                preselected[i] = next((f"{kind}_{k}" for k, name in items.items() if name == h[:-len(suffix)].strip()),
                                      None)
    assert preselected == {1: "grade_2", 2: "feedback_2"}
    assert any("Moodle selects it by itself" in n for n in result.notes)


def test_without_a_moodle_roster_the_note_says_which_column_to_map(tmp_path):
    _, result = run("moodle", tmp_path)
    assert any("map 'Lab 3' (and any feedback column) by hand" in n for n in result.notes)


def test_moodle_matches_users_exactly_so_the_rosters_spelling_is_written(tmp_path):
    # gradeimport_csv_load_data::check_user_exists: $DB->get_record('user', [field => value]),
    # exact on a case-sensitive database; an unknown user aborts the whole import.
    moodle = read_roster(LMS_SAMPLES / "moodle_grades_export.csv").roster
    the_table = table(student("student2@uni.example", 2.0, 1.0))  # the grader's id in another case
    text, _ = run("moodle", tmp_path, the_table=the_table, the_roster=moodle)
    assert text.splitlines()[1].startswith("Student2@Uni.Example,")


def test_moodle_warns_when_an_email_has_no_moodle_spelling(tmp_path):
    text, result = run("moodle", tmp_path, the_table=table(student("Ann@U.Example", 2.0, 1.0)), the_roster=None,
                       student_is="email")
    assert text.splitlines()[1] == "Ann@U.Example,3"
    assert any("exactly" in n and "Ann@U.Example" in n for n in result.notes)


def test_colon_separated_moodle_export_reads_as_a_roster():
    # lib/csvlib.class.php csv_import_reader::get_delimiter_list offers comma, semicolon, colon, tab.
    read = read_roster(LMS_SAMPLES / "moodle_grades_export_colon.csv")
    assert read.format == "moodle" and sorted(read.roster.entries) == ["Student2@Uni.Example", "student1@uni.example"]
    assert read.roster.columns["moodle"]["Lab 3 Backprop"] == "Assignment: Lab 3 Backprop"


# ------------------------------------------------------------------------- feedback


def test_feedback_goes_where_the_format_carries_it(tmp_path):
    # Moodle CSV: "(Feedback)" column; Moodle XML: <feedback>; AGS Score: comment (Canvas adds it as
    # a submission comment); Canvas's CSV importer reads no comments.
    moodle_text, _ = run("moodle", tmp_path, feedback=True)
    rows = list(csv.reader(io.StringIO(moodle_text)))
    assert rows[0][-1] == "Lab 3 feedback"
    assert rows[2][-1] == "Lab 3: 1 of 3 points.\nParts: p2 1/1.\nWaiting for review: p1."
    xml = moodle_xml.read(run("moodle-xml", tmp_path, feedback=True)[0])
    assert xml[0].feedback == "Lab 3: 3 of 3 points.\nParts: p1 2/2, p2 1/1."
    scores = json.loads(run("lti", tmp_path, feedback=True)[0])
    assert scores[1]["comment"].endswith("Waiting for review: p1.")
    canvas_text, canvas_result = run("canvas", tmp_path, feedback=True)
    assert "Parts:" not in canvas_text and any("carries no comments" in n for n in canvas_result.notes)


def test_without_feedback_nothing_but_an_instructors_comment_is_sent(tmp_path):
    text, _ = run("lti", tmp_path)
    assert all("comment" not in s for s in json.loads(text))


# ------------------------------------------------------------------------- nobody exported


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_export_that_carries_nobody_is_an_error_naming_the_fix(fmt, tmp_path):
    out = tmp_path / "out"
    out.write_text("the previous export\n") if fmt != "gradescope" else None
    with pytest.raises(ExportEmpty) as refused:
        export(table(), fmt, out, options=ExportOptions(now=NOW))
    assert "grader roster import" in str(refused.value) and "--student-is" in str(refused.value)
    assert "--allow-empty" in str(refused.value)
    if fmt != "gradescope":
        assert out.read_text() == "the previous export\n"  # a good file is never replaced by an empty one
    else:
        assert not out.exists()


def test_allow_empty_writes_the_file_anyway(tmp_path):
    result = export(table(), "canvas", tmp_path / "c.csv", options=ExportOptions(now=NOW), allow_empty=True)
    assert result.written == 0 and (tmp_path / "c.csv").read_text().startswith("Student,ID")


def test_cli_export_without_a_roster_exits_non_zero_and_names_the_fix(tmp_path):
    from tests.conftest import EXAMPLES

    done = run_cli("export", "--format", "canvas", "--from", str(EXAMPLES / "alice_correct.yaml").rsplit("/", 1)[0],
                   "--roster", str(tmp_path / "none.json"), "-o", str(tmp_path / "c.csv"), cwd=tmp_path)
    assert done.returncode != 0 and not (tmp_path / "c.csv").exists()
    assert "skipped: alice: no canvas_id or sis_user_id or sis_login_id for Canvas" in done.stderr
    assert "Error: The canvas export would carry no student" in done.stderr
    assert "grader roster import" in done.stderr and "--student-is" in done.stderr


def test_lti_only_options_are_refused_for_other_formats(tmp_path):
    from grader.errors import UsageError

    with pytest.raises(UsageError, match="apply to --format lti only"):
        run("moodle", tmp_path, platform="canvas")
