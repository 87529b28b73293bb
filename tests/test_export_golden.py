"""Golden files: every export format, written from the gradebook of submissions_example/.

The examples are copied with fixed file times, graded into a temporary gradebook (the same
library calls as `grader grade`), and exported with tests/golden/roster.csv as the roster and a
fixed clock. Each output is compared byte for byte with tests/golden/export/<name>; beside it,
<name>.report.txt records what the export said (students written, skipped, notes).

When grading or an export changes on purpose, regenerate and review the diff:

    GRADER_UPDATE_GOLDEN=1 python -m pytest tests/test_export_golden.py
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from grader.batch import grade_folder
from grader.export import FORMATS, ExportOptions, ExportResult, export
from grader.export.roster import Roster, read_roster
from grader.scores import ScoreTable
from grader.spec import load_problem_set
from grader.store import Gradebook
from tests.conftest import EXAMPLES, SET_DIR, example_files

UPDATE = os.environ.get("GRADER_UPDATE_GOLDEN") == "1"
GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2025, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)
RECEIVED = datetime(2025, 2, 28, 18, 30, tzinfo=UTC)

# golden name -> (format, per part, options). Every format appears at least once.
CASES: dict[str, tuple[str, bool, dict]] = {
    "canvas.csv": ("canvas", False, {"assignment_id": "20101"}),
    "canvas_per_part.csv": ("canvas", True, {}),
    "moodle.csv": ("moodle", False, {}),
    "moodle_idnumber_per_part.csv": ("moodle", True, {"moodle_key": "idnumber"}),
    "moodle.xml": ("moodle-xml", False, {"assignment_id": "dl-mlp-cnn"}),
    "blackboard.csv": ("blackboard", False, {"assignment_id": "120040"}),
    "brightspace.csv": ("brightspace", False, {}),
    "gradescope": ("gradescope", False, {"visibility": "after_published"}),
    "lti.json": ("lti", False, {}),
    "lti_canvas.json": ("lti", False, {"platform": "canvas", "feedback": True}),
    "lti_canvas_regrade.json": ("lti", False, {"platform": "canvas", "regrade": True}),
    "lti_moodle.json": ("lti", False, {"platform": "moodle"}),
    "moodle_from_moodle_roster.csv": ("moodle", False, {"feedback": True, "roster": "moodle"}),
    "moodle_feedback.xml": ("moodle-xml", False, {"assignment_id": "dl-mlp-cnn", "feedback": True}),
    "canvas_missing_as_zero.csv": ("canvas", False, {"assignment_id": "20101", "missing_as_zero": True}),
    # bob's explanation part waits for a person (see with_review):
    "review_canvas_per_part.csv": ("canvas", True, {"review": True}),
    "review_moodle_per_part.xml": ("moodle-xml", True, {"assignment_id": "dl-mlp-cnn", "review": True}),
    "review_lti.json": ("lti", False, {"review": True}),
    "review_lti_moodle_hold.json": ("lti", False, {"platform": "moodle", "review": True}),
    "review_lti_moodle_provisional.json": ("lti", False, {"platform": "moodle", "pending": "provisional",
                                                          "review": True}),
    "plain.csv": ("csv", False, {}),
    "plain.json": ("json", False, {}),
}


@pytest.fixture(scope="module")
def gradebook_table(tmp_path_factory) -> ScoreTable:
    """The score table of a gradebook holding submissions_example/, received at a fixed time."""
    folder = tmp_path_factory.mktemp("examples")
    for source in example_files():
        target = folder / source.name
        shutil.copyfile(source, target)
        os.utime(target, (RECEIVED.timestamp(), RECEIVED.timestamp()))
    problem_set = load_problem_set(SET_DIR)
    with Gradebook.open(tmp_path_factory.mktemp("db") / "gradebook.sqlite") as gradebook:
        summary = grade_folder(folder, problem_set, gradebook, jobs=0)
        assert summary.graded == len(list(example_files())) and not summary.failed
        return gradebook.score_table(problem_set)


REVIEWED_STUDENT, REVIEWED_PART = "bob", "p1.1d.explain"


def with_review(table: ScoreTable) -> ScoreTable:
    """The table with one of bob's parts still waiting for a person (as a rubric part can be)."""
    rows = []
    for row in table.rows:
        if row.student == REVIEWED_STUDENT:
            part = row.parts[REVIEWED_PART]
            parts = {**row.parts, REVIEWED_PART: replace(part, score=None, status="needs_review")}
            row = replace(row, parts=parts, total=round(row.total - (part.score or 0.0), 6), needs_review=True)
        rows.append(row)
    return replace(table, rows=rows)


# A Moodle grade export of the same course (the bundled example), keyed by username.
MOODLE_ROSTER = Path(__file__).parents[1] / "examples" / "rosters" / "moodle_grades.csv"


@pytest.fixture(scope="module")
def roster() -> Roster:
    return read_roster(GOLDEN / "roster.csv").roster


@pytest.fixture(scope="module")
def moodle_roster() -> Roster:
    return read_roster(MOODLE_ROSTER, key="username").roster


def test_every_format_has_a_golden_case():
    assert {fmt for fmt, _, _ in CASES.values()} == set(FORMATS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_export_matches_golden(name, gradebook_table, roster, moodle_roster, tmp_path):
    fmt, per_part, options = CASES[name]
    options = dict(options)
    chosen = moodle_roster if options.pop("roster", None) == "moodle" else roster
    source = with_review(gradebook_table) if options.pop("review", False) else gradebook_table
    out = tmp_path / name
    result = export(source, fmt, out, per_part=per_part, roster=chosen,
                    options=ExportOptions(now=NOW, **options))
    produced = _contents(out)
    produced[f"{name}.report.txt"] = _report(result)
    golden = GOLDEN / "export"
    if UPDATE:
        if (golden / name).is_dir():
            shutil.rmtree(golden / name)
        for rel, text in produced.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_bytes(text.encode("utf-8"))
    expected = {rel: (golden / rel).read_bytes().decode("utf-8")
                for rel in produced if (golden / rel).is_file()}
    expected |= {f"{name}/{p.relative_to(golden / name).as_posix()}": p.read_bytes().decode("utf-8")
                 for p in sorted((golden / name).rglob("*")) if p.is_file()} if (golden / name).is_dir() else {}
    assert sorted(produced) == sorted(expected), "files differ; if intended run GRADER_UPDATE_GOLDEN=1"
    for rel in produced:
        assert produced[rel] == expected[rel], (
            f"{rel} differs from tests/golden/export/{rel}; if the change is intended, regenerate with "
            "GRADER_UPDATE_GOLDEN=1 python -m pytest tests/test_export_golden.py and review the diff"
        )


def test_goldens_show_each_formats_conventions():
    """What a reader of the golden files should find in them (guards against a bad regeneration)."""
    export_dir = GOLDEN / "export"
    canvas = (export_dir / "canvas.csv").read_text(encoding="utf-8").splitlines()
    assert canvas[0] == "Student,ID,SIS User ID,SIS Login ID,Section,MLPs and CNNs (20101)"
    assert canvas[1] == "    Points Possible,,,,,52"
    # kim has no submission: she is left out, since a blank cell would erase her Canvas grade
    assert canvas[-1] == '"Haddad, Farid",2006,S2006,farid,DL Tutorial 02,8' and "kim" not in "".join(canvas)
    assert any(line.startswith('"\'=HYPERLINK(') for line in canvas)  # formula neutralised
    moodle = (export_dir / "moodle.csv").read_text(encoding="utf-8").splitlines()
    assert moodle[0] == "Email address,MLPs and CNNs" and not any("kim" in line for line in moodle)
    assert any(line.startswith("Bob@Uni.Example,") for line in moodle)  # the LMS's exact email
    assert "farid" not in (export_dir / "moodle.xml").read_text(encoding="utf-8")  # no ID number
    assert "<score>-</score>" not in (export_dir / "moodle.xml").read_text(encoding="utf-8")
    assert (export_dir / "blackboard.csv").read_text(encoding="utf-8").startswith(
        '"Last Name","First Name","Username","MLPs and CNNs [Total Pts: 52] |120040"\n')
    brightspace = (export_dir / "brightspace.csv").read_text(encoding="utf-8").splitlines()
    assert brightspace[0].endswith(",End-of-Line Indicator") and all(r.endswith(",#") for r in brightspace[1:])
    assert "#00424,#david," in (export_dir / "brightspace.csv").read_text(encoding="utf-8")
    assert "chloe" not in (export_dir / "lti.json").read_text(encoding="utf-8")  # no LTI user id
    assert sorted(p.name for p in (export_dir / "gradescope").iterdir()) == [
        "alice", "bob", "chloe", "david", "emma", "farid"]


def _contents(out: Path) -> dict[str, str]:
    if out.is_dir():
        return {f"{out.name}/{p.relative_to(out).as_posix()}": p.read_bytes().decode("utf-8")
                for p in sorted(out.rglob("*")) if p.is_file()}
    return {out.name: out.read_bytes().decode("utf-8")}


def _report(result: ExportResult) -> str:
    lines = [f"format: {result.format}", f"written: {result.written}"]
    lines += [f"skipped: {s}" for s in result.skipped]
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


def test_cli_roster_import_then_export_from_the_gradebook_gives_the_golden_file(tmp_path):
    """The instructor's commands end to end: grade, import the roster, export."""
    from tests.conftest import run_cli

    db = tmp_path / "gradebook.sqlite"
    with Gradebook.open(db) as gradebook:
        grade_folder(EXAMPLES, load_problem_set(SET_DIR), gradebook, jobs=0)
    imported = run_cli("roster", "import", str(GOLDEN / "roster.csv"), "--roster", str(tmp_path / "roster.json"))
    assert imported.returncode == 0, imported.stderr
    done = run_cli("export", "--format", "canvas", "--db", str(db), "--set", "mlp_cnn", "--roster",
                   str(tmp_path / "roster.json"), "--assignment-id", "20101", "-o", str(tmp_path / "canvas.csv"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "canvas.csv").read_bytes() == (GOLDEN / "export" / "canvas.csv").read_bytes()
    assert f"Exported 6 student(s) as canvas to {tmp_path / 'canvas.csv'}." in done.stdout
    assert "skipped: kim: no counted submission" in done.stderr
    assert "note: 1 student(s) in the roster have no submission (left out): kim" in done.stderr
