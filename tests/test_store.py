"""The gradebook: schema migrations, immutable submissions, policies (latest/best, late penalty)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from grader.api import check_file
from grader.batch import grade_folder
from grader.errors import SpecInvalid, UsageError
from grader.scores import PENDING_STATUSES, ScoreTable
from grader.spec import load_problem_set
from grader.store import Gradebook, GradebookUnusable, Policy
from grader.store.migrations import MIGRATIONS
from tests.conftest import EXAMPLES, SET_DIR, example_files, write_answers

DEADLINE = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
# (hours after the deadline, started days late)
LATENESS = [(-1, 0), (0, 0), (0.5, 1), (24, 1), (25, 2), (24 * 10, 10)]


def policy_set(tmp_path: Path, policy: dict) -> Path:
    """A copy of the shipped problem set with a `policy` block."""
    target = tmp_path / "set"
    shutil.copytree(SET_DIR, target)
    meta = yaml.safe_load((target / "set.yaml").read_text(encoding="utf-8"))
    meta["policy"] = policy
    (target / "set.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    return target


def submit(folder: Path, name: str, answers: dict, student: str, received: datetime) -> Path:
    """An answer file named as the inbox names it, so its time received is `received`."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = received.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return write_answers(folder / f"{stamp}_{name}.yaml", answers, student=student)


def example_answers(name: str) -> dict:
    from grader.answers import read_submission

    return read_submission(EXAMPLES / name).answers


def test_open_applies_named_migrations_once(tmp_path):
    db = tmp_path / "g.sqlite"
    Gradebook.open(db).close()
    Gradebook.open(db).close()
    conn = sqlite3.connect(db)
    names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
    assert names == [name for name, _ in MIGRATIONS]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_gradebook_from_a_newer_grader_is_refused(tmp_path):
    db = tmp_path / "g.sqlite"
    Gradebook.open(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES ('9999_from_the_future', 'now')")
    with pytest.raises(GradebookUnusable, match="newer version"):
        Gradebook.open(db)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    db = tmp_path / "notes.sqlite"
    db.write_text("these are my notes, not a gradebook\n" * 100)
    with pytest.raises(GradebookUnusable, match="not a usable gradebook"):
        Gradebook.open(db)
    assert db.read_text().startswith("these are my notes")


def test_submissions_are_idempotent_and_never_overwritten(tmp_path):
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        when = datetime(2026, 1, 1, tzinfo=UTC)
        first = gb.add_submission(path="/a.yaml", sha256="1" * 64, size=3, content=b"one", received_at=when)
        again = gb.add_submission(path="/a.yaml", sha256="1" * 64, size=3, content=b"one",
                                  received_at=when + timedelta(days=1))
        moved = gb.add_submission(path="/b.yaml", sha256="1" * 64, size=3, content=b"one", received_at=when)
        changed = gb.add_submission(path="/a.yaml", sha256="2" * 64, size=3, content=b"two", received_at=when)
        assert first == again
        assert len({first, moved, changed}) == 3
        kept = gb.submission(first)
        assert (kept.content, kept.received_at) == (b"one", when)


def test_policy_reads_iso_deadline_and_rejects_unknown_fields():
    policy = Policy.from_dict({"deadline": "2026-12-01T12:00:00", "late_penalty_per_day": 0.1})
    assert policy.deadline == DEADLINE  # a deadline without a zone is UTC
    with pytest.raises(SpecInvalid, match="did you mean 'late_penalty_per_day'"):
        Policy.from_dict({"late_penalty_per_dya": 0.1})
    with pytest.raises(SpecInvalid, match="counts"):
        Policy.from_dict({"counts": "first"})


@pytest.mark.parametrize(("hours", "days"), LATENESS)
def test_late_days_count_started_days(hours, days):
    policy = Policy(deadline=DEADLINE, late_penalty_per_day=0.1, late_penalty_cap=0.5)
    received = DEADLINE + timedelta(hours=hours)
    assert policy.late_days(received) == days
    assert policy.penalty_fraction(received) == pytest.approx(min(0.5, 0.1 * days))


def test_late_penalty_is_applied_to_the_counted_score(tmp_path):
    per_day, cap = 0.1, 0.25
    set_dir = policy_set(tmp_path, {"deadline": DEADLINE.isoformat(), "late_penalty_per_day": per_day,
                                    "late_penalty_cap": cap})
    problem_set = load_problem_set(set_dir)
    folder = tmp_path / "in"
    alice = example_answers("alice_correct.yaml")
    on_time = submit(folder / "ontime", "a", alice, "ontime", DEADLINE - timedelta(hours=1))
    submit(folder / "late2", "b", alice, "late2", DEADLINE + timedelta(hours=30))
    submit(folder / "late9", "c", alice, "late9", DEADLINE + timedelta(days=8, hours=1))
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(folder, problem_set, gb, jobs=0)
        table = gb.score_table(problem_set)
    full = check_file(on_time, set_dir).score
    assert full > 0
    rows = {row.student: row for row in table.rows}
    assert (rows["ontime"].late_days, rows["ontime"].total) == (0, full)
    assert rows["late2"].late_days == 2
    assert rows["late2"].penalty == pytest.approx(full * 2 * per_day)
    assert rows["late2"].total == pytest.approx(full * (1 - 2 * per_day))
    assert rows["late9"].total == pytest.approx(full * (1 - cap))  # capped


def test_latest_counts_the_last_on_time_submission(tmp_path):
    set_dir = policy_set(tmp_path, {"deadline": DEADLINE.isoformat(), "counts": "latest"})
    problem_set = load_problem_set(set_dir)
    folder = tmp_path / "in" / "sam"
    good, weak = example_answers("alice_correct.yaml"), example_answers("david_partial.yaml")
    submit(folder, "1", weak, "sam", DEADLINE - timedelta(days=2))
    last_on_time = submit(folder, "2", good, "sam", DEADLINE - timedelta(days=1))
    submit(folder, "3", weak, "sam", DEADLINE + timedelta(hours=2))  # late: does not replace it
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(tmp_path / "in", problem_set, gb, jobs=0)
        student = gb.student(problem_set.id, "sam")
    assert len(student.submissions) == 3
    assert student.counted is not None and student.counted.path == str(last_on_time.resolve())
    assert student.counted.total == check_file(last_on_time, set_dir).score


def test_latest_counts_a_late_submission_when_there_is_no_other(tmp_path):
    set_dir = policy_set(tmp_path, {"deadline": DEADLINE.isoformat(), "counts": "latest"})
    problem_set = load_problem_set(set_dir)
    folder = tmp_path / "in" / "sam"
    submit(folder, "1", example_answers("david_partial.yaml"), "sam", DEADLINE + timedelta(hours=1))
    last = submit(folder, "2", example_answers("alice_correct.yaml"), "sam", DEADLINE + timedelta(hours=2))
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(tmp_path / "in", problem_set, gb, jobs=0)
        counted = gb.student(problem_set.id, "sam").counted
    assert counted is not None and counted.path == str(last.resolve())


def test_best_counts_the_highest_total(tmp_path):
    set_dir = policy_set(tmp_path, {"counts": "best"})
    problem_set = load_problem_set(set_dir)
    folder = tmp_path / "in" / "sam"
    start = datetime(2026, 11, 1, tzinfo=UTC)
    paths = [
        submit(folder, str(i), example_answers(name), "sam", start + timedelta(days=i))
        for i, name in enumerate(["david_partial.yaml", "alice_correct.yaml", "bob_mistakes.yaml"])
    ]
    expected = {p: check_file(p, set_dir).score for p in paths}
    best = max(paths, key=lambda p: expected[p])
    assert best != paths[-1]  # the best is not the latest, so the policy matters
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(tmp_path / "in", problem_set, gb, jobs=0)
        row = gb.score_table().row("sam")
        counted = gb.student(problem_set.id, "sam").counted
    assert counted is not None and counted.path == str(best.resolve())
    assert row is not None and row.total == expected[best]


def test_score_table_matches_the_engine_and_leaves_pending_parts_unscored(tmp_path, problem_set):
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(EXAMPLES, problem_set, gb, jobs=0)
        table = gb.score_table()
    assert isinstance(table, ScoreTable)
    assert table.parts == [(part.id, part.points) for _, part in problem_set.parts()]
    for path in example_files():
        report = check_file(path, SET_DIR)
        row = table.row(report.student)
        assert row is not None
        for part in report.parts:
            cell = row.parts[part.id]
            assert cell.status == part.status.value
            assert cell.score == (None if part.status.value in PENDING_STATUSES else part.score)
        assert row.total == pytest.approx(sum(p.score for p in report.parts if p.status.value not in PENDING_STATUSES))
        assert row.needs_review == any(p.status.value in PENDING_STATUSES for p in report.parts)


def test_overrides_are_checked_against_the_part(tmp_path, problem_set):
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(EXAMPLES, problem_set, gb, jobs=0)
        counted = gb.student(None, "alice").counted
        assert counted is not None
        part = problem_set.find_part("p1.4")[1]
        with pytest.raises(UsageError, match="between 0 and"):
            gb.set_override(counted.submission_id, problem_set.id, "p1.4", part.points + 1, author="t")
        with pytest.raises(UsageError, match="no part 'p9'"):
            gb.set_override(counted.submission_id, problem_set.id, "p9", 1, author="t")
        assert gb.overrides() == []


def test_a_gradebook_with_several_sets_asks_which_one(tmp_path, problem_set):
    other_dir = tmp_path / "other"
    shutil.copytree(SET_DIR, other_dir)
    meta = yaml.safe_load((other_dir / "set.yaml").read_text(encoding="utf-8"))
    meta["id"] = "mlp_cnn_resit"
    (other_dir / "set.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    other = load_problem_set(other_dir)
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(EXAMPLES, problem_set, gb, jobs=0)
        resit = grade_folder(EXAMPLES, other, gb, jobs=0)
        assert len(resit.failed) == len(list(example_files()))  # every file names mlp_cnn
        with pytest.raises(UsageError, match="several problem sets"):
            gb.score_table()
        assert [row.total for row in gb.score_table("mlp_cnn_resit").rows] == [None] * len(resit.failed)
        assert all(row.total is not None for row in gb.score_table("mlp_cnn").rows)


def test_an_empty_folder_is_a_usage_error(tmp_path, problem_set):
    (tmp_path / "empty").mkdir()
    with Gradebook.open(tmp_path / "g.sqlite") as gb, pytest.raises(UsageError, match="No answer files"):
        grade_folder(tmp_path / "empty", problem_set, gb, jobs=0)


def _positional_reads(source: str) -> list[str]:
    """Row reads by an integer index (`row[2]`, `r[0]`) in a module's source."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, int)):
            continue
        target = ast.unparse(node.value)
        if target.lower().endswith("row") or target == "r":  # a row, not a list of rows
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_the_gradebook_reads_its_rows_by_column_name_never_by_position(tmp_path):
    """A column added to or moved in a SELECT must not shift what a field reads."""
    import grader.store.gradebook as module

    assert _positional_reads("x = row[2] + r[0] + rows[0][\"id\"]") == ["line 1: row[2]", "line 1: r[0]"]
    assert _positional_reads(Path(module.__file__).read_text(encoding="utf-8")) == []
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        assert gb.conn.row_factory is sqlite3.Row


# ----- grouped commits (a batch's writes) --------------------------------------------------------


def _submission(gradebook: Gradebook, n: int) -> int:
    return gradebook.add_submission(path=f"/class/{n}.yaml", sha256=f"{n:064x}", size=1, content=b"x",
                                    received_at=datetime(2026, 1, 1, tzinfo=UTC))


def _stored_paths(path: Path) -> list[str]:
    with sqlite3.connect(path) as other:  # another connection sees only what was committed
        return [row[0] for row in other.execute("SELECT path FROM submissions ORDER BY path")]


def test_grouped_commits_commit_at_the_end_and_a_failed_transaction_alone_is_undone(tmp_path):
    db = tmp_path / "g.sqlite"
    with Gradebook.open(db) as gradebook:
        with gradebook.grouped_commits(seconds=3600):
            _submission(gradebook, 1)
            with pytest.raises(RuntimeError), gradebook.transaction() as conn:
                conn.execute("INSERT INTO submissions (path, sha256, size, content, received_at, added_at)"
                             " VALUES ('/class/bad.yaml', 'x', 1, x'00', '2026', '2026')")
                raise RuntimeError("a failure inside one transaction")
            _submission(gradebook, 2)
            assert _stored_paths(db) == []  # still one open group
        assert _stored_paths(db) == ["/class/1.yaml", "/class/2.yaml"]


def test_a_group_commits_once_it_has_been_open_long_enough(tmp_path):
    db = tmp_path / "g.sqlite"
    with Gradebook.open(db) as gradebook, gradebook.grouped_commits(seconds=0):
        _submission(gradebook, 1)
        assert _stored_paths(db) == ["/class/1.yaml"]


def test_a_process_killed_mid_group_loses_only_that_group(tmp_path):
    db = tmp_path / "g.sqlite"
    gradebook = Gradebook.open(db)
    with gradebook.grouped_commits(seconds=0):
        _submission(gradebook, 1)
    gradebook._group_seconds = 3600  # as inside grouped_commits, but the process dies before its end
    _submission(gradebook, 2)
    gradebook.conn.close()  # no COMMIT: what a killed process leaves
    with Gradebook.open(db) as again:
        assert _stored_paths(db) == ["/class/1.yaml"]
        _submission(again, 2)  # the next batch writes it again
        assert _stored_paths(db) == ["/class/1.yaml", "/class/2.yaml"]
