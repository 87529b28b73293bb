"""A grade never depends on how busy the machine is: budgets count computing, not waiting.

Running out of a budget is `needs_review` with the reason it is provisional, never `invalid`,
`incorrect` or zero, and the next `grader grade` tries such a submission again.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader import budget
from grader.answers import read_submission
from grader.api import grade_submission
from grader.batch import grade_folder
from grader.cli import app
from grader.kinds import Status
from grader.mathparse.builder import Builder
from grader.store import Gradebook
from tests.conftest import EXAMPLES, ROOT, SET_DIR, write_answers

CONV_PART = "p1.2a.conv"


def _busy(seconds: float) -> None:
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        sum(range(1000))


def test_waiting_does_not_spend_a_budget() -> None:
    with budget.time_budget(0.2) as deadline:
        time.sleep(0.4)  # the wall clock runs on; no computing is done
        deadline.check()
        assert deadline.remaining() > 0.1


def test_waiting_does_not_spend_a_budget_in_a_thread() -> None:
    outcome: dict[str, object] = {}

    def work() -> None:
        with budget.time_budget(0.2) as deadline:
            assert not deadline.guarded
            time.sleep(0.4)
            deadline.check()
            outcome["waited"] = "fine"
            try:
                _busy(0.3)
                deadline.check()
            except budget.BudgetExceeded as exceeded:
                outcome["computed"] = exceeded.reason

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=30)
    assert outcome == {"waited": "fine", "computed": budget.CPU}


def test_counted_steps_bound_the_work_without_any_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "STEPS_PER_SECOND", 100)
    with pytest.raises(budget.BudgetExceeded) as raised, budget.time_budget(1.0) as deadline:
        for _ in range(101):
            deadline.check()
    assert raised.value.reason == budget.STEPS


def test_the_wall_clock_watchdog_stops_a_true_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "WATCHDOG_MIN_SECONDS", 0.2)
    monkeypatch.setattr(budget, "WATCHDOG_FACTOR", 0.2)
    with budget.watch() as notes:
        with pytest.raises(budget.BudgetExceeded) as raised, budget.time_budget(1.0):
            time.sleep(5)  # a hang that computes nothing: only the watchdog can end it
    assert raised.value.reason == budget.WATCHDOG
    assert notes == [(budget.WATCHDOG, 1.0)]
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def _parser_runs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every formula's reading run out of its budget, as a starved machine once did."""

    def build(self: Builder, tree: object) -> object:
        raise budget.BudgetExceeded(budget.CPU)

    monkeypatch.setattr(Builder, "build", build)


def test_reproduction_1_parser_out_of_budget_is_provisional_never_zero(
    problem_set, monkeypatch: pytest.MonkeyPatch
) -> None:
    submission = read_submission(EXAMPLES / "alice_correct.yaml")
    _parser_runs_out(monkeypatch)
    part = next(p for p in grade_submission(problem_set, submission).parts if p.id == CONV_PART)
    assert part.status is Status.NEEDS_REVIEW
    assert part.provisional and "budget" in part.provisional
    assert "provisional" in " ".join(part.feedback)
    assert "too long" not in " ".join(part.feedback)


def test_reproduction_1_provisional_results_are_retried_without_regrade(
    problem_set, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.yaml").write_bytes((EXAMPLES / "alice_correct.yaml").read_bytes())
    db = tmp_path / "gradebook.sqlite"
    with monkeypatch.context() as starved:
        _parser_runs_out(starved)
        with Gradebook.open(db) as gradebook:
            first = grade_folder(folder, problem_set, gradebook, jobs=0)
    assert first.graded == 1 and first.retried == 0
    with Gradebook.open(db) as gradebook:
        parts = {p.id: p for p in gradebook.student(problem_set.id, "alice").counted.parts}
    assert parts[CONV_PART].status == "needs_review" and parts[CONV_PART].provisional

    result = CliRunner().invoke(app, ["grade", str(folder), "--set", str(SET_DIR), "--db", str(db), "--jobs", "0"])
    assert result.exit_code == 0, result.output
    assert "unchanged 0, failed 0, retried 1" in result.output
    assert "Retried 1 submission(s)" in result.output
    with Gradebook.open(db) as gradebook:
        parts = {p.id: p for p in gradebook.student(problem_set.id, "alice").counted.parts}
    assert parts[CONV_PART].status == "correct" and parts[CONV_PART].provisional is None
    assert parts[CONV_PART].score == parts[CONV_PART].max_score

    again = CliRunner().invoke(app, ["grade", str(folder), "--set", str(SET_DIR), "--db", str(db), "--jobs", "0"])
    assert "graded 0, unchanged 1, failed 0, retried 0" in again.output


def test_an_out_of_budget_judge_check_is_provisional(problem_set, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    answers = tmp_path / "a.yaml"
    write_answers(answers, {"p2.1.derivative": "1 - tanh(x)**3"})
    monkeypatch.setattr(budget, "STEPS_PER_SECOND", 1)  # every judge check runs out at once
    part = next(p for p in grade_submission(problem_set, read_submission(answers)).parts
                if p.id == "p2.1.derivative")
    assert part.status is Status.NEEDS_REVIEW, part.feedback
    assert part.provisional and "steps" in part.provisional


def _start_grading(db: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "grader", "grade", str(EXAMPLES), "--set", str(SET_DIR), "--db", str(db),
               "--jobs", "1"]
    # An empty cache of its own: the worker computes every expected answer too, which gives the
    # stops below more grading to land in (and both runs the same conditions).
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "GRADER_CACHE_DIR": str(db.with_suffix(".cache"))}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def _grades(db: Path, process: subprocess.Popen[bytes], *,
            stop_and_go: bool) -> dict[tuple[str, str], tuple[str, float]]:
    """Wait for a grading process (stopping and resuming it again and again if asked), then read
    its gradebook."""
    stops = 0
    if stop_and_go:
        # Stop the whole process group (the batch and its worker) for a second at a time while
        # it works: its wall clock runs on while it computes nothing.
        # Slices of 0.4 s of work between stops longer than the parser's and the judge's
        # budgets, so that a wall-clock budget would surely run out somewhere. The whole grading
        # takes under 2 s of work on the development machine, so the first stop comes early and
        # three or four stops land in it.
        time.sleep(0.3)
        while process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGSTOP)
                stops += 1
                time.sleep(2.1)
                os.killpg(process.pid, signal.SIGCONT)
                time.sleep(0.4)
            except ProcessLookupError:
                break
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()
    assert not stop_and_go or stops >= 2, "the grading ended before it could be stopped"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT g.student, r.part_id, r.status, r.score FROM results r JOIN gradings g"
                            " ON g.submission_id = r.submission_id AND g.problem_set = r.problem_set").fetchall()
    return {(student, part): (status, score) for student, part, status, score in rows}


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs POSIX job-control signals")
def test_stopping_the_grading_process_changes_no_grade(tmp_path: Path) -> None:
    # The quiet run works while the other one is stopped: both at once, in the time of one.
    quiet_db, stopped_db = tmp_path / "quiet.sqlite", tmp_path / "stopped.sqlite"
    quiet_run = _start_grading(quiet_db)
    stopped = _grades(stopped_db, _start_grading(stopped_db), stop_and_go=True)
    quiet = _grades(quiet_db, quiet_run, stop_and_go=False)
    assert len(quiet) > 100
    assert stopped == quiet
