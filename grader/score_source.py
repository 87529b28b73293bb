"""Where an export's score table comes from: the gradebook, or a folder of answer files graded now."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.answers import read_submission
from grader.api import grade_submission, resolve_set_for
from grader.engine import ExpectedCache, Report
from grader.errors import GraderError, UsageError
from grader.inbox import answer_files
from grader.scores import ScoreTable, table_from_reports
from grader.spec import ProblemSet, load_problem_set


@dataclass
class GradedFolder:
    """The table of a graded folder, and the files that could not be used."""

    table: ScoreTable
    problems: list[str] = field(default_factory=list)


def table_from_folder(folder: str | Path, set_path: str | Path | None = None) -> GradedFolder:
    """Grade every answer file under `folder` (the last file per student counts: in an inbox,
    the latest); files that do not read, or belong to another set, are reported and skipped."""
    files = answer_files(folder)
    if not files:
        raise UsageError(f"No answer files (.yaml, .toml, .json) under {folder}.")
    problem_set: ProblemSet | None = load_problem_set(set_path) if set_path is not None else None
    cache = ExpectedCache()
    reports: list[Report] = []
    problems: list[str] = []
    for path in files:
        try:
            submission = read_submission(path)
            if problem_set is None:
                problem_set = resolve_set_for(submission, None)
            elif submission.problem_set and submission.problem_set != problem_set.id:
                problems.append(f"{path}: answers problem set {submission.problem_set!r}, not {problem_set.id!r}")
                continue
            if not submission.student:
                problems.append(f"{path}: no 'student:' line, so it cannot be exported")
                continue
            reports.append(grade_submission(problem_set, submission, cache))
        except GraderError as err:
            problems.append(str(err))
    if problem_set is None:
        raise UsageError(f"No answer file under {folder} could be read; pass --set to name the problem set.")
    return GradedFolder(table_from_reports(problem_set, reports), problems)


def load_table(*, db: str | Path | None = None, from_dir: str | Path | None = None,
               set_path: str | Path | None = None) -> GradedFolder:
    """The score table to export: from the gradebook (`db`) or by grading a folder (`from_dir`)."""
    if from_dir is not None:
        return table_from_folder(from_dir, set_path)
    from grader.store import DEFAULT_DB, Gradebook, set_ref

    db = Path(db or DEFAULT_DB)
    if not db.is_file():
        raise UsageError(f"No gradebook at {db}; grade first (grader grade DIR --set SET --db {db}) "
                         "or export a folder of answer files with --from DIR.")
    with Gradebook.open(db) as gradebook:
        info = gradebook.set_info(set_ref(set_path))
        failures = [f"{f.path}: {f.error}" for f in gradebook.failures(info)]
        return GradedFolder(gradebook.score_table(info), failures)
