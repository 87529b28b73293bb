"""The neutral score table that the gradebook produces and every LMS export consumes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the table is below the engine in use, so only type-check against it
    from grader.engine import Report
    from grader.spec import ProblemSet

# Part statuses whose points a person still has to decide: exported as "no score", never as 0.
PENDING_STATUSES = frozenset({"not_graded", "needs_review"})


@dataclass(frozen=True)
class PartScore:
    """One part of one student's effective result (overrides already applied)."""

    part_id: str
    score: float | None  # None: no score (not submitted, or waiting for a human)
    max_score: float
    status: str  # a grader.kinds.Status value, or "overridden"
    feedback: tuple[str, ...] = ()


@dataclass(frozen=True)
class StudentRow:
    """One student's effective grade for a problem set."""

    student: str
    parts: dict[str, PartScore]
    total: float | None  # None when the student has no counted submission
    max_total: float
    submitted_at: datetime | None = None
    late_days: int = 0
    penalty: float = 0.0  # points removed for lateness, already subtracted from total
    needs_review: bool = False
    excused: bool = False
    comment: str = ""
    lms_ids: dict[str, str] = field(default_factory=dict)  # e.g. {"canvas_id": "1001", "email": ...}
    display_name: str = ""


@dataclass(frozen=True)
class ScoreTable:
    """Every student's effective grade for one problem set, ready to export."""

    problem_set: str
    title: str
    parts: list[tuple[str, float]]  # (part id, max points) in the set's order
    rows: list[StudentRow]
    part_titles: dict[str, str] = field(default_factory=dict)  # part id -> its problem's title

    @property
    def max_total(self) -> float:
        return sum(points for _, points in self.parts)

    def row(self, student: str) -> StudentRow | None:
        """The row of one student, or None."""
        return next((row for row in self.rows if row.student == student), None)


def table_from_reports(problem_set: ProblemSet, reports: Iterable[Report]) -> ScoreTable:
    """A table of computed scores (no overrides), one row per student: their last report.

    Reports without a student id cannot be matched to anyone and are left out; parts that wait
    for a person (not graded automatically, or undecided) have no score rather than 0.
    """
    last: dict[str, Report] = {}
    for report in reports:
        if report.student is not None and report.problem_set == problem_set.id:
            last[report.student] = report
    rows = [_row_from_report(report) for _, report in sorted(last.items())]
    return ScoreTable(
        problem_set=problem_set.id,
        title=problem_set.title,
        parts=[(part.id, part.points) for _, part in problem_set.parts()],
        rows=rows,
        part_titles={part.id: problem.title for problem, part in problem_set.parts()},
    )


def _row_from_report(report: Report) -> StudentRow:
    parts = {
        p.id: PartScore(
            part_id=p.id,
            score=None if p.status.value in PENDING_STATUSES else p.score,
            max_score=p.max_score,
            status=p.status.value,
            feedback=tuple(p.feedback),
        )
        for p in report.parts
    }
    scored = [p.score for p in parts.values() if p.score is not None]
    return StudentRow(
        student=report.student or "",
        parts=parts,
        total=round(sum(scored), 6),
        max_total=report.max_score,
        needs_review=any(p.score is None for p in parts.values()),
    )
