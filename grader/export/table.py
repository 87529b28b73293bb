"""The neutral score table that the gradebook produces and every LMS export consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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

    @property
    def max_total(self) -> float:
        return sum(points for _, points in self.parts)
