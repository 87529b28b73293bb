"""Human review: the queue, overrides that survive regrading, and the CSV round trip."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from typer.testing import CliRunner

from grader.answers import read_submission
from grader.api import grade_submission
from grader.batch import grade_folder
from grader.cli import app
from grader.errors import SubmissionNotFound, UsageError
from grader.export.table import PENDING_STATUSES
from grader.kinds import KINDS, Verdict
from grader.spec import load_problem_set
from grader.store import Gradebook
from grader.store import review as reviews
from tests.conftest import EXAMPLES, SET_DIR, example_files, run_cli, write_answers

FORMULA_ANSWERS = ["=HYPERLINK(\"http://x\",\"click\")", "+1+1", "-2+3", "@SUM(A1)"]


@pytest.fixture
def undecided_shapes(monkeypatch):
    """Make the shape checker unable to decide, so shape parts go to review whatever other kinds do."""
    monkeypatch.setattr(KINDS["shape"], "compare",
                        lambda value, expected, options: Verdict.undecided("The checker could not decide."))


@pytest.fixture
def gradebook(tmp_path, problem_set, undecided_shapes):
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(EXAMPLES, problem_set, gb, jobs=0)
        yield gb


def pending_from_engine(problem_set) -> set[tuple[str, str]]:
    pending = set()
    for path in example_files():
        report = grade_submission(problem_set, read_submission(path))
        pending |= {(report.student, p.id) for p in report.parts if p.status.value in PENDING_STATUSES}
    return pending


def test_the_queue_holds_exactly_the_parts_waiting_for_a_person(gradebook, problem_set):
    queue = reviews.review_queue(gradebook)
    listed = {(item.student, item.part.id) for item in queue}
    assert listed == pending_from_engine(problem_set)
    assert ("alice", "p1.1a") in listed  # an undecided shape
    only_undecided = reviews.review_queue(gradebook, statuses=["needs_review"])
    assert {i.part.status for i in only_undecided} == {"needs_review"}


def test_an_override_sets_the_effective_score_and_leaves_the_queue(gradebook, problem_set):
    points = problem_set.find_part("p1.1a")[1].points
    decision = reviews.set_score(gradebook, None, "alice", "p1.1a", points, comment="Right.", author="ta")
    assert (decision.author, decision.score) == ("ta", points)
    row = gradebook.score_table().row("alice")
    assert row is not None
    cell = row.parts["p1.1a"]
    assert (cell.score, cell.status, cell.feedback[-1]) == (points, "overridden", "Right.")
    assert ("alice", "p1.1a") not in {(i.student, i.part.id) for i in reviews.review_queue(gradebook)}
    assert ("alice", "p1.1a") in {(i.student, i.part.id) for i in reviews.review_queue(gradebook, decided=True)}


def test_the_latest_decision_is_in_force_and_the_history_is_kept(gradebook):
    reviews.set_score(gradebook, None, "bob", "p1.1a", 0.5, author="ta")
    reviews.set_score(gradebook, None, "bob", "p1.1a", 0.25, comment="second look", author="prof")
    assert [o.score for o in gradebook.overrides(history=True)] == [0.5, 0.25]
    assert [(o.score, o.author) for o in gradebook.overrides()] == [(0.25, "prof")]
    row = gradebook.score_table().row("bob")
    assert row is not None and row.parts["p1.1a"].score == 0.25


def test_regrade_keeps_overrides(tmp_path, problem_set, undecided_shapes):
    set_dir = tmp_path / "set"
    shutil.copytree(SET_DIR, set_dir)
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(EXAMPLES, problem_set, gb, jobs=0)
        reviews.set_score(gb, None, "alice", "p1.1a", 0.5, comment="kept", author="ta")
        before = gb.student(None, "alice").counted
        forced = grade_folder(EXAMPLES, problem_set, gb, jobs=0, regrade=True)
        (set_dir / "set.yaml").write_text((set_dir / "set.yaml").read_text() + "\n# a new version\n")
        new_version = load_problem_set(set_dir)
        changed = grade_folder(EXAMPLES, new_version, gb, jobs=0)
        after = gb.student(None, "alice").counted
        row = gb.score_table().row("alice")
    assert forced.graded == changed.graded == len(list(example_files()))
    assert before is not None and after is not None and row is not None
    assert after.submission_id == before.submission_id
    assert row.parts["p1.1a"].score == 0.5 and row.parts["p1.1a"].status == "overridden"
    assert row.parts["p1.1a"].feedback[-1] == "kept"


def test_csv_round_trip(tmp_path, gradebook):
    queue = reviews.review_queue(gradebook)
    exported = tmp_path / "review.csv"
    assert reviews.write_csv(queue, exported) == len(queue) > 0
    untouched = reviews.import_csv(gradebook, None, exported, author="ta")
    assert (untouched.recorded, untouched.blank) == ([], len(queue))

    with exported.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["score"] = f"{float(row['max']) / 2:g}"
        row["comment"] = f"half for {row['student']}"
    with exported.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=reviews.CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    result = reviews.import_csv(gradebook, None, exported, author="ta")
    assert len(result.recorded) == len(queue)
    assert reviews.review_queue(gradebook) == []
    decided = {(i.student, i.part.id): i.override for i in reviews.review_queue(gradebook, decided=True)}
    for item in queue:
        override = decided[(item.student, item.part.id)]
        assert override is not None
        assert override.score == item.part.max_score / 2
        assert override.comment == f"half for {item.student}"

    again = tmp_path / "again.csv"
    reviews.write_csv(reviews.review_queue(gradebook, decided=True), again)
    repeat = reviews.import_csv(gradebook, None, again, author="ta")
    assert (repeat.recorded, repeat.unchanged) == ([], len(queue))
    assert len(gradebook.overrides(history=True)) == len(queue)


def test_a_csv_saved_with_semicolons_and_decimal_commas_imports(tmp_path, gradebook):
    item = reviews.review_queue(gradebook)[0]
    path = tmp_path / "excel.csv"
    path.write_text(f"submission;part;score;comment\n{item.submission_id};{item.part.id};0,5;ok\n",
                    encoding="utf-8-sig")
    result = reviews.import_csv(gradebook, None, path, author="ta")
    assert [(o.part_id, o.score) for o in result.recorded] == [(item.part.id, 0.5)]


def test_a_csv_with_one_bad_row_records_nothing(tmp_path, gradebook):
    queue = reviews.review_queue(gradebook)
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", "part", "score"])
        writer.writerow([queue[0].submission_id, queue[0].part.id, "0"])
        writer.writerow([queue[1].submission_id, queue[1].part.id, "lots"])
        writer.writerow([queue[1].submission_id, queue[1].part.id, str(queue[1].part.max_score + 5)])
    with pytest.raises(UsageError, match="row 3"):
        reviews.import_csv(gradebook, None, path, author="ta")
    assert gradebook.overrides() == []


def test_exported_cells_cannot_be_spreadsheet_formulas(tmp_path, problem_set, undecided_shapes):
    folder = tmp_path / "class"
    folder.mkdir()
    for i, answer in enumerate(FORMULA_ANSWERS):
        write_answers(folder / f"f{i}.yaml", {"p1.1a": answer}, student=f"=cmd{i}")
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(folder, problem_set, gb, jobs=0)
        for i in range(len(FORMULA_ANSWERS)):
            reviews.set_score(gb, None, f"=cmd{i}", "p1.1a", 0, comment="=1+1", author="ta")
        path = tmp_path / "review.csv"
        reviews.write_csv(reviews.review_queue(gb, decided=True), path)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = [r for r in csv.DictReader(handle) if r["part"] == "p1.1a"]
        assert rows
        for row in rows:
            for column in ("student", "answer", "comment", "feedback"):
                assert not row[column].startswith(reviews.FORMULA_START), (column, row[column])
        # Importing the file back restores the comment as it was typed, and records nothing new.
        assert reviews.import_csv(gb, None, path, author="ta").recorded == []


def test_review_set_for_an_unknown_student_says_how_to_find_one(gradebook):
    with pytest.raises(SubmissionNotFound, match="review list"):
        reviews.set_score(gradebook, None, "nobody", "p1.1a", 1, author="ta")


def cli(*args: str):
    """Run a command in this process (so fixtures' patches apply), as typer would."""
    return CliRunner().invoke(app, list(args))


def test_review_commands(tmp_path, undecided_shapes):
    db = str(tmp_path / "g.sqlite")
    assert cli("grade", str(EXAMPLES), "--set", str(SET_DIR), "--db", db, "--jobs", "0").exit_code == 0
    queue = cli("review", "list", "--db", db, "--json")
    assert queue.exit_code == 0, queue.output
    items = json.loads(queue.stdout)
    first = next(i for i in items if i["status"] == "needs_review")
    done = cli("review", "set", first["student"], first["part"], str(first["max"]), "-m", "ok", "--by", "me",
               "--db", db)
    assert done.exit_code == 0, done.output
    assert "recorded (by me)" in done.stdout
    after = json.loads(cli("review", "list", "--db", db, "--json", "--all").stdout)
    decided = [i for i in after if (i["student"], i["part"]) == (first["student"], first["part"])]
    assert decided[0]["override"] == {"score": first["max"], "comment": "ok", "by": "me"}
    text = cli("review", "list", "--db", db).stdout
    assert f"{len(items) - 1} part(s) to review" in text
    csv_path = tmp_path / "q.csv"
    assert cli("review", "export", "--db", db, "--out", str(csv_path)).exit_code == 0
    imported = cli("review", "import", str(csv_path), "--db", db)
    assert imported.exit_code == 0 and "Recorded 0 score(s)" in imported.stdout


def test_a_library_error_is_one_line_on_stderr(tmp_path, problem_set):
    db = str(tmp_path / "g.sqlite")
    with Gradebook.open(db) as gb:  # graded in this process: only the failing command needs its own
        grade_folder(EXAMPLES, problem_set, gb, jobs=0)
    wrong = run_cli("review", "set", "nobody", "p1.1a", "1", "--db", db)
    assert wrong.returncode != 0
    assert wrong.stderr.startswith("Error: ") and "Traceback" not in wrong.stderr


@pytest.mark.parametrize("command", [["grade"], ["review"], ["review", "list"], ["review", "set"],
                                     ["review", "export"], ["review", "import"], ["feedback"], ["report"]])
def test_every_instructor_command_has_help(command):
    result = cli(*command, "--help")
    assert result.exit_code == 0 and "Usage" in result.stdout, command
    assert len(result.stdout.split()) > 20
