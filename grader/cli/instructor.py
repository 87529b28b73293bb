"""Commands for instructors: grade a folder into the gradebook, review, feedback, class report."""

from __future__ import annotations

import getpass
import json
import math
import sys
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from grader import config
from grader.cli import app
from grader.errors import UsageError
from grader.scores import PENDING_STATUSES  # the review statuses (a light module)

# Each command imports what it uses when it runs, so `grader --help` and the other commands start fast.
if TYPE_CHECKING:
    from rich.progress import Progress

    from grader import batch
    from grader.store import Gradebook
    from grader.store import review as reviews

DB_OPTION = typer.Option(None, "--db", help="The gradebook file (default: from grader.toml, else gradebook.sqlite).")
SET_ID_OPTION = typer.Option(None, "--set", "-s", help="Problem-set id in the gradebook, or its folder "
                                                       "(default: the only set in the gradebook).")
BY_OPTION = typer.Option(None, "--by", help="Who decides (default: your user name).")
review_app = typer.Typer(help="Score the parts a person must grade: list, set, export/import as CSV.",
                         no_args_is_help=True)
app.add_typer(review_app, name="review")


def _gradebook(db: Path | None, *, create: bool = False) -> Gradebook:
    from grader.store import Gradebook

    return Gradebook.open(db or config.load_config().db, create=create)


@app.command()
def grade(
    folder: Path = typer.Argument(..., help="Folder of answer files (YAML, TOML, JSON), searched recursively."),
    set_path: Path = typer.Option(..., "--set", "-s", help="Problem-set folder or id, e.g. problems/mlp_cnn."),
    db: Path | None = DB_OPTION,
    jobs: int | None = typer.Option(None, "--jobs", "-j", min=0, help="Worker processes (default: one per "
                                                                      "core; 0 grades in this process)."),
    regrade: bool = typer.Option(False, "--regrade", help="Grade again even submissions already graded."),
    dask: str | None = typer.Option(None, "--dask", help="Grade on this Dask scheduler (tcp://host:8786)."),
) -> None:
    """Grade every answer file under FOLDER into the gradebook; unchanged ones are skipped."""
    from grader import batch
    from grader.spec import load_problem_set

    problem_set = load_problem_set(set_path)
    batch.check_folder(folder, problem_set)  # before the gradebook file is created
    with _gradebook(db, create=True) as gradebook, _progress() as bar:
        task = bar.add_task("Grading", total=None)
        summary = batch.grade_folder(
            folder, problem_set, gradebook, jobs=jobs, regrade=regrade, dask_address=dask,
            progress=lambda done, total, _path: bar.update(task, completed=done, total=total),
        )
    _show_summary(summary, gradebook.path)


@review_app.command("list")
def review_list(
    db: Path | None = DB_OPTION,
    set_id: str | None = SET_ID_OPTION,
    status: list[str] = typer.Option(sorted(PENDING_STATUSES), "--status", help="Statuses to list "
                                     "(repeatable): needs_review, not_graded."),
    decided: bool = typer.Option(False, "--all", help="Also list parts already scored by a person."),
    as_json: bool = typer.Option(False, "--json", help="Print the queue as JSON."),
) -> None:
    """List the parts waiting for a person: student, part, provisional score, answer and feedback."""
    from grader.store import review as reviews
    from grader.store import set_ref

    with _gradebook(db) as gradebook:
        items = reviews.review_queue(gradebook, set_ref(set_id), statuses=status, decided=decided)
    if as_json:
        typer.echo(json.dumps([_item_dict(i) for i in items], indent=2, ensure_ascii=False))
        return
    for item in items:
        _show_item(item)
    waiting = sum(1 for item in items if item.override is None)
    scored = f", {len(items) - waiting} already scored" if decided else ""
    typer.echo(f"{waiting} part(s) to review{scored}. Score one: grader review set STUDENT PART SCORE "
               "--comment '...'")


@review_app.command("set")
def review_set(
    student: str = typer.Argument(..., help="The student's id."),
    part: str = typer.Argument(..., help="The part id, as in the answer file."),
    score: str = typer.Argument(..., help="Points for the part (0 to its maximum), e.g. 2, 1.5 or 3/4."),
    comment: str = typer.Option("", "--comment", "-m", help="Shown to the student in their feedback."),
    by: str | None = BY_OPTION,
    db: Path | None = DB_OPTION,
    set_id: str | None = SET_ID_OPTION,
) -> None:
    """Score one part of a student's counted submission; a regrade never undoes it."""
    from grader.report.feedback import format_points
    from grader.store import review as reviews
    from grader.store import set_ref

    with _gradebook(db) as gradebook:
        decision = reviews.set_score(gradebook, set_ref(set_id), student, part, _points(score), comment=comment,
                                     author=by or getpass.getuser())
    typer.echo(f"{student} {part}: {format_points(decision.score)} recorded (by {decision.author}).")


def _points(text: str) -> float:
    """A score typed on the command line: a number or a fraction, finite."""
    try:
        value = float(Fraction(text.strip().replace("−", "-")))
    except (ValueError, ZeroDivisionError, OverflowError):
        raise UsageError(f"SCORE must be a number of points such as 2, 1.5 or 3/4; got {text!r}.") from None
    if not math.isfinite(value):
        raise UsageError(f"SCORE must be a finite number of points; got {text!r}.")
    return value


@review_app.command("export")
def review_export(
    output: Path = typer.Option(Path("review.csv"), "--out", "-o", metavar="FILE", help="The CSV file to write."),
    decided: bool = typer.Option(False, "--all", help="Also export parts already scored (with their score)."),
    db: Path | None = DB_OPTION,
    set_id: str | None = SET_ID_OPTION,
) -> None:
    """Write the review queue as a CSV: fill the `score` (and `comment`) column, then import it."""
    from grader.store import review as reviews
    from grader.store import set_ref

    with _gradebook(db) as gradebook:
        count = reviews.write_csv(reviews.review_queue(gradebook, set_ref(set_id), decided=decided), output)
    typer.echo(f"Wrote {count} row(s) to {output}. Fill in 'score', then: grader review import {output}")


@review_app.command("import")
def review_import(
    file: Path = typer.Argument(..., help="A CSV written by `grader review export`, with scores filled in."),
    by: str | None = BY_OPTION,
    db: Path | None = DB_OPTION,
    set_id: str | None = SET_ID_OPTION,
) -> None:
    """Record the scores of a filled-in review CSV (all rows, or none if one is wrong)."""
    from grader.store import review as reviews
    from grader.store import set_ref

    with _gradebook(db) as gradebook:
        result = reviews.import_csv(gradebook, set_ref(set_id), file, author=by or getpass.getuser())
    typer.echo(f"Recorded {len(result.recorded)} score(s); {result.unchanged} unchanged, "
               f"{result.blank} row(s) left blank.")


@app.command()
def feedback(
    out: Path = typer.Option(..., "--out", "-o", metavar="FOLDER", help="Folder for one .md and one .html file per student."),
    db: Path | None = DB_OPTION,
    set_id: str | None = SET_ID_OPTION,
) -> None:
    """Write each student's feedback: every part's status, score, answer and feedback."""
    from grader.report import write_feedback
    from grader.store import set_ref

    with _gradebook(db) as gradebook:
        written = write_feedback(gradebook, set_ref(set_id), out)
    typer.echo(f"Wrote {len(written)} file(s) for {len(written) // 2} student(s) to {out}.")


@app.command()
def report(
    out: Path = typer.Option(Path("report.html"), "--out", "-o", metavar="FILE", help="The file to write."),
    as_json: bool = typer.Option(False, "--json", help="Write the statistics as JSON instead of HTML."),
    db: Path | None = DB_OPTION,
    set_id: str | None = SET_ID_OPTION,
) -> None:
    """Write the class report: score histogram, per-part statistics, common wrong answers, review load."""
    from grader.report import write_class_report
    from grader.report.feedback import format_points
    from grader.store import set_ref

    with _gradebook(db) as gradebook:
        stats = write_class_report(gradebook, set_ref(set_id), out, as_json=as_json)
    mean = format_points(round(stats.mean_total or 0.0, 2))
    typer.echo(f"Wrote {out}: {stats.students} student(s), mean {mean}/{format_points(stats.max_score)}, "
               f"{stats.waiting_total} part(s) waiting for a person.")


# ----- rendering ------------------------------------------------------------------------------------


def _progress() -> Progress:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty(),
    )


def _show_summary(summary: batch.BatchSummary, db: Path) -> None:
    waiting = ", ".join(f"{n} {s}" for s, n in sorted(summary.review_parts.items())) or "none"
    typer.echo(
        f"{summary.problem_set}: {summary.found} file(s) found; graded {summary.graded}, "
        f"unchanged {summary.unchanged}, failed {len(summary.failed)}, retried {summary.retried} "
        f"({summary.seconds:.1f} s)."
    )
    if summary.retried:
        typer.echo(f"Retried {summary.retried} submission(s) whose results were provisional "
                   "(a check had run out of its budget).")
    typer.echo(f"Needs review: {summary.needs_review} submission(s) with parts for a person ({waiting}).")
    for path, reason in summary.failed:
        typer.echo(f"  failed: {path}: {reason}", err=True)
    if summary.interrupted:
        typer.echo(f"Interrupted with {summary.remaining} left; run the same command again to resume.", err=True)
        raise typer.Exit(130)
    typer.echo(f"Next: grader review list --db {db}   |   grader report --db {db} --out report.html")


def _show_item(item: reviews.ReviewItem) -> None:
    from grader.report.feedback import format_points
    from grader.store import review as reviews

    part = item.part
    decided = f"  -> {format_points(item.override.score)} by {item.override.author}" if item.override else ""
    typer.echo(f"{item.student}  {part.id}  [{part.status}]  {format_points(part.score)}/"
               f"{format_points(part.max_score)}{decided}")
    answer = reviews.answer_text(part.answer)
    typer.echo("    answer: " + (answer.replace("\n", "\n            ") if answer else "(none)"))
    for line in part.feedback:
        typer.echo(f"    - {line}")


def _item_dict(item: reviews.ReviewItem) -> dict[str, object]:
    part = item.part
    return {
        "submission": item.submission_id, "student": item.student, "part": part.id, "status": part.status,
        "provisional": part.score, "max": part.max_score, "answer": part.answer, "feedback": list(part.feedback),
        "override": None if item.override is None else {
            "score": item.override.score, "comment": item.override.comment, "by": item.override.author},
    }
